import type { Problem } from './types';

/** A failed API call: the problem details the server sent, or `network_error` when no answer came back. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly errors: Array<{ field: string; message: string }>;

  constructor(status: number, problem: Problem) {
    super(problem.detail ?? problem.title ?? `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code ?? (status === 0 ? 'network_error' : `http_${status}`);
    this.errors = problem.errors ?? [];
  }

  /** One line for a person: the detail plus the fields it names. */
  get plain(): string {
    if (this.status === 0) return 'No connection to the server. Check the network and try again.';
    const fields = this.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return fields ? `${this.message} (${fields})` : this.message;
  }
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
  /** Error statuses whose body is an answer, not a failure (verification results come back as 400). */
  accept?: number[];
}

/** The one HTTP client of the web app: JSON in and out, bearer token, problem+json errors. */
export class ApiClient {
  constructor(
    private readonly token: () => string | undefined,
    private readonly onUnauthorized: () => void,
    private readonly base = '',
  ) {}

  get<T>(path: string, opts: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('GET', path, opts);
  }
  post<T>(path: string, body?: unknown, opts: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...opts, body: body ?? {} });
  }
  put<T>(path: string, body: unknown, opts: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...opts, body });
  }
  patch<T>(path: string, body: unknown, opts: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...opts, body });
  }
  delete<T>(path: string, opts: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('DELETE', path, opts);
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    if (res.status === 204) return undefined as T;
    const type = res.headers.get('content-type') ?? '';
    return (type.includes('json') ? await res.json() : await res.text()) as T;
  }

  /** Fetches a file with the bearer token and hands it to the browser as a download. */
  async download(path: string, fallbackName: string, query?: RequestOptions['query']): Promise<string> {
    const res = await this.send('GET', path, { query });
    const blob = await res.blob();
    const name = /filename="?([^";]+)"?/i.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    return name;
  }

  private async send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json;q=0.9, */*;q=0.5', ...opts.headers };
    const token = this.token();
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await fetch(this.base + path + queryString(opts.query), { method, headers, body, signal: opts.signal, cache: 'no-store' });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(0, { code: 'network_error', detail: 'No connection to the server.' });
    }
    if (res.ok || opts.accept?.includes(res.status)) return res;
    const problem = await readProblem(res);
    if (res.status === 401 && token) this.onUnauthorized();
    throw new ApiError(res.status, problem);
  }
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function readProblem(res: Response): Promise<Problem> {
  try {
    const type = res.headers.get('content-type') ?? '';
    if (type.includes('json')) return (await res.json()) as Problem;
  } catch {
    // fall through: a body that is not JSON says nothing more than the status
  }
  return { status: res.status, detail: res.statusText || `Request failed (${res.status})` };
}
