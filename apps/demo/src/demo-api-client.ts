/**
 * The demo talks to the product the way an agency's own tooling would: over HTTP, with a bearer token. A few lines
 * over fetch; no product code is imported.
 */

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Statuses that count as success; anything else throws ApiError. Default: any 2xx. */
  expect?: number[];
  signal?: AbortSignal;
}

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path} answered ${status}: ${describeProblem(body)}`);
    this.name = 'ApiError';
  }
}

/** `detail` (or `title`) of an RFC 9457 problem, else the raw body, kept short. */
export function describeProblem(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const problem = body as { code?: unknown; detail?: unknown; title?: unknown; errors?: unknown };
    const text = [problem.code, problem.detail ?? problem.title].filter((p) => typeof p === 'string').join(': ');
    const errors = Array.isArray(problem.errors) ? ` ${JSON.stringify(problem.errors).slice(0, 300)}` : '';
    if (text) return text + errors;
  }
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return (raw ?? '').slice(0, 300);
}

export class ApiClient {
  /** `baseUrl` without a trailing slash, e.g. http://localhost:3000 */
  constructor(readonly baseUrl: string) {}

  async call<T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    });
    const text = await res.text();
    let body: unknown = text;
    if (text && /json/.test(res.headers.get('content-type') ?? '')) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const ok = opts.expect ? opts.expect.includes(res.status) : res.status >= 200 && res.status < 300;
    if (!ok) throw new ApiError(method, path, res.status, body);
    return { status: res.status, body: body as T, headers: res.headers };
  }

  get<T = unknown>(path: string, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    return this.call<T>('GET', path, opts);
  }

  post<T = unknown>(path: string, body: unknown, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    return this.call<T>('POST', path, { ...opts, body });
  }

  put<T = unknown>(path: string, body: unknown, opts: CallOptions = {}): Promise<ApiResponse<T>> {
    return this.call<T>('PUT', path, { ...opts, body });
  }

  async signIn(email: string, password: string): Promise<string> {
    const res = await this.post<{ accessToken: string }>('/auth/token', { email, password }, { expect: [200] });
    return res.body.accessToken;
  }

  /** Waits until GET /health/ready answers 200 (PostgreSQL and Redis reachable), or throws after `timeoutMs`. */
  async waitUntilReady(timeoutMs: number, isAlive: () => boolean = () => true): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!isAlive()) throw new Error(`stopped before it was ready (${last})`);
      try {
        const res = await fetch(`${this.baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 200) return;
        last = `/health/ready answered ${res.status}: ${await res.text()}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${this.baseUrl} not ready after ${Math.round(timeoutMs / 1000)} s (${last})`);
  }
}
