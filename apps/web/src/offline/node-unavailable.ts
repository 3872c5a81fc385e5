/**
 * What the browser bundle gets for node:crypto, node:zlib, node:fs and node:path (scripts/build-web.mjs maps them here). The engine
 * modules the offline station shares import them at the top, but the station's path never calls them: it hands the
 * engine WebCrypto results instead (libs/credentials/src/offline/pack-verifier.ts). A call is a bug, and fails loudly.
 */
const unavailable = (name: string) => (): never => {
  throw new Error(`${name} is not available on the offline station`);
};

export const hash = unavailable('hash');
export const createHash = unavailable('createHash');
export const createPublicKey = unavailable('createPublicKey');
export const verify = unavailable('verify');
export const constants = {};
export const deflateSync = unavailable('deflateSync');
export const gzipSync = unavailable('gzipSync');
export const createGunzip = unavailable('createGunzip');
export const createInflate = unavailable('createInflate');
export const existsSync = unavailable('existsSync');
export const readFileSync = unavailable('readFileSync');
export const dirname = unavailable('dirname');
export const isAbsolute = unavailable('isAbsolute');
export const join = unavailable('join');
export const relative = unavailable('relative');
export const resolve = unavailable('resolve');
export const sep = '/';
