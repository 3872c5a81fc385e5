/** The bundled JSON-LD contexts as texts (scripts/build-web.mjs makes this module at build time). */
declare module 'virtual:jsonld-contexts' {
  const contexts: Array<{ url: string; sha256: string; text: string }>;
  export default contexts;
}
