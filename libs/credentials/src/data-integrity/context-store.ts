import { hash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { isRecord } from '../util/json';

/**
 * The JSON-LD contexts a Data Integrity verification may use: the ones bundled with the project
 * (`contexts/manifest.json`) and, when configured, the ones of an operator's folder (its `index.json`, same format:
 * `{"contexts": [{"url", "file", "sha256"}]}`). Every file is checked against its SHA-256 when loaded; nothing else
 * is ever answered, and nothing is fetched.
 */
export class ContextConfigurationError extends Error {}

export interface PinnedContext {
  url: string;
  sha256: string;
  /** Where it was read from (the bundled folder or the configured one). */
  origin: 'bundled' | 'configured';
  /** A bundled context the configured folder may pin to other bytes (the Open Badges contexts; never the W3C ones). */
  replaceable?: boolean;
}

const MANIFEST_NAMES = { bundled: 'manifest.json', configured: 'index.json' } as const;
/** The largest context in use is 15 KB; a larger file in a manifest is a mistake. */
const MAX_CONTEXT_BYTES = 256 * 1024;

export class JsonLdContexts {
  private readonly texts = new Map<string, string>();
  private readonly pins = new Map<string, PinnedContext>();

  private constructor() {}

  /** The bundled contexts, plus those of `configuredDir` when given; throws ContextConfigurationError on any mismatch. */
  static load(configuredDir?: string): JsonLdContexts {
    const store = new JsonLdContexts();
    store.addFolder(bundledDir(), 'bundled');
    if (configuredDir) store.addFolder(resolve(configuredDir), 'configured');
    return store;
  }

  /**
   * The bundled contexts as texts the caller already holds: the offline station's bundle carries them (checked
   * against their SHA-256 when the bundle is built, scripts/build-web.mjs), since a browser reads no folder.
   */
  static fromBundle(contexts: Array<{ url: string; sha256: string; text: string }>): JsonLdContexts {
    const store = new JsonLdContexts();
    for (const { url, sha256, text } of contexts) {
      store.texts.set(url, text);
      store.pins.set(url, { url, sha256, origin: 'bundled' });
    }
    return store;
  }

  has(url: string): boolean {
    return this.texts.has(url);
  }

  /** The context document as a fresh object (jsonld rewrites relative URLs in what it is given). */
  document(url: string): unknown {
    const text = this.texts.get(url);
    return text === undefined ? undefined : JSON.parse(text);
  }

  list(): PinnedContext[] {
    return [...this.pins.values()];
  }

  private addFolder(dir: string, origin: PinnedContext['origin']): void {
    const manifestPath = join(dir, MANIFEST_NAMES[origin]);
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch (err) {
      throw new ContextConfigurationError(`Cannot read the JSON-LD context list ${manifestPath}: ${(err as Error).message}`);
    }
    const entries = isRecord(manifest) && Array.isArray(manifest.contexts) ? manifest.contexts : undefined;
    if (!entries) throw new ContextConfigurationError(`${manifestPath} has no "contexts" list.`);
    for (const entry of entries) {
      if (!isRecord(entry) || typeof entry.url !== 'string' || typeof entry.file !== 'string' || typeof entry.sha256 !== 'string') {
        throw new ContextConfigurationError(`${manifestPath}: every context needs a url, a file and a sha256.`);
      }
      const replaceable = origin === 'bundled' && entry.replaceable === true;
      this.add(dir, { url: entry.url, file: entry.file, sha256: entry.sha256.toLowerCase(), replaceable }, origin, manifestPath);
    }
  }

  private add(
    dir: string,
    entry: { url: string; file: string; sha256: string; replaceable: boolean },
    origin: PinnedContext['origin'],
    manifestPath: string,
  ): void {
    const { url, sha256 } = entry;
    if (!/^https:\/\/[^\s#]+$/.test(url)) throw new ContextConfigurationError(`${manifestPath}: ${url} is not an https URL without a fragment.`);
    const path = resolve(dir, entry.file);
    const inside = relative(dir, path);
    if (inside.startsWith('..') || isAbsolute(inside)) throw new ContextConfigurationError(`${manifestPath}: ${entry.file} is outside its folder.`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new ContextConfigurationError(`${manifestPath}: cannot read ${entry.file}: ${(err as Error).message}`);
    }
    if (bytes.length > MAX_CONTEXT_BYTES) throw new ContextConfigurationError(`${manifestPath}: ${entry.file} is larger than ${MAX_CONTEXT_BYTES / 1024} KiB.`);
    const actual = hash('sha256', bytes, 'hex');
    if (actual !== sha256) throw new ContextConfigurationError(`${manifestPath}: ${entry.file} has SHA-256 ${actual}, not the pinned ${sha256}.`);
    const known = this.pins.get(url);
    if (known) {
      // The same bytes listed twice (a configured folder repeating a bundled context) are fine; other bytes only
      // replace a replaceable bundled context (e.g. the 1EdTech specification's own Open Badges 3.0.3 context).
      if (known.sha256 === sha256) return;
      if (!known.replaceable || origin !== 'configured')
        throw new ContextConfigurationError(`${manifestPath}: ${url} is already pinned to SHA-256 ${known.sha256}.`);
    }
    const text = bytes.toString('utf8');
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new ContextConfigurationError(`${manifestPath}: ${entry.file} is not JSON.`);
    }
    if (!isRecord(document) || !('@context' in document))
      throw new ContextConfigurationError(`${manifestPath}: ${entry.file} is not a JSON-LD context document.`);
    this.texts.set(url, text);
    this.pins.set(url, entry.replaceable ? { url, sha256, origin, replaceable: true } : { url, sha256, origin });
  }
}

/**
 * The bundled contexts sit next to this file, in the sources and in the compiled dist. The CLI launcher runs a bundle
 * of the sources from node_modules/.cache: then they are in that checkout, under its package root.
 */
function bundledDir(): string {
  const here = join(__dirname, 'contexts');
  if (existsSync(join(here, MANIFEST_NAMES.bundled))) return here;
  for (let dir = dirname(__dirname); dir !== dirname(dir); dir = dirname(dir)) {
    if (!dir.split(sep).includes('node_modules') && existsSync(join(dir, 'package.json'))) return join(dir, 'libs/credentials/src/data-integrity/contexts');
  }
  return here;
}
