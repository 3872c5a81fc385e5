import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ContextConfigurationError, JsonLdContexts } from './context-store';

/** The pinned contexts: bundled ones always, a configured folder's only when every file has its pinned SHA-256. */
describe('JsonLdContexts', () => {
  let dir: string;
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
  const write = (index: unknown, files: Record<string, string>) => {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
  };
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'contexts-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the bundled contexts, and a configured folder adds its own', () => {
    const text = '{"@context": {"badge": "urn:example:badge"}}';
    write({ contexts: [{ url: 'https://example.org/ctx.json', file: 'ctx.json', sha256: sha256(text) }] }, { 'ctx.json': text });
    const store = JsonLdContexts.load(dir);
    expect(store.has('https://www.w3.org/ns/credentials/v2')).toBe(true);
    expect(store.document('https://example.org/ctx.json')).toEqual({ '@context': { badge: 'urn:example:badge' } });
    expect(store.list().find((c) => c.url === 'https://example.org/ctx.json')).toMatchObject({ origin: 'configured' });
    expect(JsonLdContexts.load().has('https://example.org/ctx.json')).toBe(false);
  });

  it('bundles the Open Badges 3.0 contexts; a configured folder may pin other bytes for them, never for a W3C context', () => {
    const bundled = JsonLdContexts.load();
    for (const v of ['context.json', 'context-3.0.1.json', 'context-3.0.2.json', 'context-3.0.3.json'])
      expect(bundled.list().find((c) => c.url === `https://purl.imsglobal.org/spec/ob/v3p0/${v}`)).toMatchObject({ origin: 'bundled', replaceable: true });
    expect(bundled.list().find((c) => c.url === 'https://www.w3.org/ns/credentials/v2')?.replaceable).toBeUndefined();
    const text = '{"@context": {"@version": 1.1, "badge": "urn:example:badge"}}';
    const url = 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json';
    write({ contexts: [{ url, file: 'ctx.json', sha256: sha256(text) }] }, { 'ctx.json': text });
    const replaced = JsonLdContexts.load(dir);
    expect(replaced.document(url)).toEqual(JSON.parse(text));
    expect(replaced.list().find((c) => c.url === url)).toMatchObject({ origin: 'configured', sha256: sha256(text) });
  });

  it('refuses a file whose bytes are not the pinned ones, a file outside the folder, and a second pin of a bundled URL', () => {
    const text = '{"@context": {}}';
    write({ contexts: [{ url: 'https://example.org/ctx.json', file: 'ctx.json', sha256: sha256('something else') }] }, { 'ctx.json': text });
    expect(() => JsonLdContexts.load(dir)).toThrow(ContextConfigurationError);
    write({ contexts: [{ url: 'https://example.org/ctx.json', file: '../ctx.json', sha256: sha256(text) }] }, {});
    expect(() => JsonLdContexts.load(dir)).toThrow(/outside its folder/);
    write({ contexts: [{ url: 'https://www.w3.org/ns/credentials/v2', file: 'ctx.json', sha256: sha256(text) }] }, { 'ctx.json': text });
    expect(() => JsonLdContexts.load(dir)).toThrow(/already pinned/);
    write({ contexts: [{ url: 'http://example.org/ctx.json', file: 'ctx.json', sha256: sha256(text) }] }, { 'ctx.json': text });
    expect(() => JsonLdContexts.load(dir)).toThrow(/not an https URL/);
    expect(() => JsonLdContexts.load(path.join(dir, 'missing'))).toThrow(/Cannot read the JSON-LD context list/);
  });
});
