import { createHash } from 'node:crypto';
import { SourceFailure, type SourceHttp } from './licence-source';

/**
 * HTTP to one source within its limits: each call times out after `timeoutMs` and is cut off past `maxBytes` (a
 * source that streams forever or answers with megabytes gives an indeterminate lookup, not a stuck check-in).
 */
export function boundedHttp(baseUrl: string, timeoutMs: number, maxBytes: number): SourceHttp {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    async request(method, path, body) {
      const signal = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(`${base}${path}`, {
          method,
          signal,
          redirect: 'error',
          headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (err) {
        throw new SourceFailure(signal.aborted ? 'timeout' : `unreachable (${err instanceof Error ? err.message : 'network error'})`);
      }
      const declared = Number(response.headers.get('content-length') ?? '0');
      if (declared > maxBytes) {
        await response.body?.cancel().catch(() => undefined);
        throw new SourceFailure('answer too large');
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      try {
        const reader = response.body?.getReader();
        for (;;) {
          if (!reader) break;
          const { done, value } = await reader.read();
          if (done) break;
          size += value.byteLength;
          if (size > maxBytes) {
            await reader.cancel().catch(() => undefined);
            throw new SourceFailure('answer too large');
          }
          chunks.push(value);
        }
      } catch (err) {
        if (err instanceof SourceFailure) throw err;
        throw new SourceFailure(signal.aborted ? 'timeout' : 'answer cut off');
      }
      const bytes = Buffer.concat(chunks);
      return { status: response.status, text: bytes.toString('utf8'), hash: createHash('sha256').update(bytes).digest('hex') };
    },
  };
}

/** JSON of an answer, or a SourceFailure naming it unreadable. */
export function parseAnswer(text: string, hash: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new SourceFailure('unreadable answer', hash);
  }
}
