import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** Where a package is written: text with backpressure, or a stream piped in (the PDF). */
export interface PackageFileOut {
  write(text: string): Promise<void>;
  readonly stream: Writable;
}

/**
 * Builds a download into a temporary file, then sends it and removes it. A package of 1.5 M responder days does
 * not fit in memory as one string, and streaming it straight to the client would turn a refusal found in a late
 * batch (a missing rate, overlapping entries) into a cut-off download; this way a refusal still answers 422 with
 * its reason, before anything is sent, and nothing is left on disk.
 */
export async function sendPackageFile(reply: FastifyReply, file: { type: string; name: string }, build: (out: PackageFileOut) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'time-package-'));
  const path = join(dir, file.name);
  const removeDir = (): void => void rm(dir, { recursive: true, force: true }).catch(() => undefined);
  try {
    const stream = createWriteStream(path);
    const failed = new Promise<never>((_, reject) => stream.once('error', reject));
    failed.catch(() => undefined);
    const out: PackageFileOut = {
      stream,
      async write(text: string): Promise<void> {
        if (!stream.write(text)) await Promise.race([once(stream, 'drain'), failed]);
      },
    };
    try {
      await build(out);
    } finally {
      if (!stream.writableEnded) stream.end();
    }
    await Promise.race([once(stream, 'close'), failed]);
  } catch (err) {
    removeDir();
    throw err;
  }
  const body = createReadStream(path);
  body.once('close', removeDir);
  await reply.code(200).type(file.type).header('Content-Disposition', `attachment; filename="${file.name}"`).send(body);
}
