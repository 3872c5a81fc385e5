import type { Writable } from 'node:stream';
import type { AuditEntryRecord } from '../audit.types';
import { canonicalJson } from '../canonical-json';
import type { AuditBundle } from './audit-bundle';

/**
 * Writes an audit bundle in the export's layout: the header object, then `"entries":[`, one entry per line (keys in
 * canonical order, so the verifier serializes each without re-sorting it), then `]}`. verifyBundleFile reads this
 * layout in parallel; it is also plain JSON for any other tool.
 */
export async function writeBundle(out: Writable, header: Omit<AuditBundle, 'entries'>, pages: AsyncIterable<AuditEntryRecord[]>): Promise<void> {
  const opening = JSON.stringify(header);
  await write(out, `${opening.slice(0, -1)},"entries":[`);
  let first = true;
  for await (const page of pages) {
    let chunk = '';
    for (const entry of page) {
      chunk += `${first ? '' : ','}\n${canonicalJson(entry)}`;
      first = false;
    }
    await write(out, chunk);
  }
  await write(out, '\n]}\n');
}

/** Writes with back-pressure; fails if the other end goes away (a truncated bundle must not look complete). */
async function write(out: Writable, text: string): Promise<void> {
  if (out.destroyed) throw new Error('the reader went away during the export');
  if (out.write(text)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (err?: Error): void => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new Error('the reader went away during the export'));
    out.on('drain', onDrain);
    out.on('close', onClose);
  });
}
