import { ApiError, errorFromResponse, networkError } from './problem';
import { defaultRetryDelays, isRetryableMethod, isTransientStatus, retryDelay, sleep } from './retry';

/** What the client needs from the session: the current token and a way to renew it. */
export interface TokenSource {
  readonly accessToken: string | null;
  refresh(): Promise<boolean>;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  /** JSON-serialised unless it is a Blob/ArrayBuffer (sent as is, with its own content type). */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * The one way the app talks to the API. Adds the bearer token; repeats an idempotent request (GET, HEAD, PUT,
 * DELETE) up to three times, after a short backoff, when it met a 502/503/504 or no answer (a silo draining behind
 * the load balancer); on a 401 renews the token once and repeats the request once; turns every failure into an
 * ApiError carrying the server's ProblemDetails.
 */
export class ApiClient {
  constructor(
    private readonly tokens: TokenSource,
    private readonly baseUrl = '',
    private readonly fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
    /** The waits before each retry; its length is the number of retries. */
    private readonly retryDelays: readonly number[] = defaultRetryDelays,
  ) {}

  get<T>(path: string, options?: RequestOptions): Promise<T> {
    return this.json<T>('GET', path, options);
  }

  post<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.json<T>('POST', path, { ...options, body });
  }

  put<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.json<T>('PUT', path, { ...options, body });
  }

  patch<T>(path: string, body?: unknown, options?: RequestOptions): Promise<T> {
    return this.json<T>('PATCH', path, { ...options, body });
  }

  delete(path: string, options?: RequestOptions): Promise<void> {
    return this.json<void>('DELETE', path, options);
  }

  /** A binary answer (a logo, a CSV export) as a Blob, with the file name the server suggested. */
  async blob(path: string, options?: RequestOptions): Promise<{ blob: Blob; fileName: string | null }> {
    const response = await this.send('GET', path, options);
    return { blob: await response.blob(), fileName: fileNameOf(response.headers.get('content-disposition')) };
  }

  private async json<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
    const response = await this.send(method, path, options);
    if (response.status === 204 || response.headers.get('content-length') === '0') {
      return undefined as T;
    }
    const type = response.headers.get('content-type') ?? '';
    return (type.includes('json') ? await response.json() : await response.text()) as T;
  }

  /** Sends, renewing the token once on a 401; resolves only with a 2xx response. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const hadToken = this.tokens.accessToken !== null;
    let response = await this.attemptWithRetries(method, path, options);
    if (response.status === 401 && hadToken) {
      if (await this.tokens.refresh()) {
        response = await this.attemptWithRetries(method, path, options);
      }
    }
    if (!response.ok) {
      throw await errorFromResponse(response);
    }
    return response;
  }

  private async attemptWithRetries(method: string, path: string, options: RequestOptions): Promise<Response> {
    const retryable = isRetryableMethod(method);
    for (let retry = 0; ; retry++) {
      const last = !retryable || retry >= this.retryDelays.length;
      let response: Response;
      try {
        response = await this.attempt(method, path, options);
      } catch (error) {
        if (last || !(error instanceof ApiError)) {
          throw error;
        }
        await sleep(retryDelay(this.retryDelays, retry), options.signal);
        continue;
      }
      if (!last && isTransientStatus(response.status)) {
        const retryAfter = response.headers.get('retry-after');
        await response.body?.cancel().catch(() => undefined);
        await sleep(retryDelay(this.retryDelays, retry, retryAfter), options.signal);
        continue;
      }
      // The attempt that got no answer may have deleted it: "already gone" is the outcome the caller asked for.
      if (retry > 0 && method === 'DELETE' && response.status === 404) {
        return new Response(null, { status: 204 });
      }
      return response;
    }
  }

  private async attempt(method: string, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.tokens.accessToken;
    if (token) {
      headers.Authorization = `Bearer ${token}`;
    }
    let body: BodyInit | null = null;
    if (options.body instanceof Blob || options.body instanceof ArrayBuffer) {
      body = options.body;
      headers['Content-Type'] = options.contentType ?? (options.body instanceof Blob && options.body.type ? options.body.type : 'application/octet-stream');
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] = 'application/json';
    }
    try {
      return await this.fetchImpl(this.baseUrl + path + queryString(options.query), {
        method,
        headers,
        body,
        credentials: 'same-origin',
        signal: options.signal ?? null,
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === 'AbortError') {
        throw error;
      }
      throw networkError(error);
    }
  }
}

/** `?a=1&b=x` from the defined, non-empty values, in the given order. */
export function queryString(query: Query | undefined): string {
  if (!query) {
    return '';
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      params.append(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function fileNameOf(disposition: string | null): string | null {
  const match = disposition?.match(/filename="?([^";]+)"?/i);
  return match ? match[1] : null;
}

export { ApiError };
