/**
 * Transient failures, retried so that a silo draining behind the load balancer (a rolling restart) never reaches
 * the user as an error: the balancer answers 502/503/504 or drops the connection while it moves to another silo.
 */

/** Waits before the first, second and third retry: short, so a retried page still feels immediate. */
export const defaultRetryDelays: readonly number[] = [150, 400, 1_000];

/** A Retry-After longer than this is a real outage, not a drain: wait no longer than the backoff. */
const maxRetryAfterMs = 2_000;

/**
 * RFC 9110's idempotent methods that the Nexus API also treats so: GET and HEAD read; every PUT sets a whole value
 * (settings, a role, a membership, the logo) and every DELETE removes one thing, so a repeat leaves the same state.
 * POST (create, power actions, sign-in, token refresh) and PATCH are never repeated behind the user's back.
 */
export function isRetryableMethod(method: string): boolean {
  return ['GET', 'HEAD', 'PUT', 'DELETE'].includes(method.toUpperCase());
}

/** Answers of a proxy whose backend went away or a server that is stopping: asking again soon may succeed. */
export function isTransientStatus(status: number): boolean {
  return status === 502 || status === 503 || status === 504;
}

/** The wait before retry number `retry` (0-based): the backoff with ±25 % jitter, or a short Retry-After. */
export function retryDelay(delays: readonly number[], retry: number, retryAfter: string | null = null, random = Math.random): number {
  const base = delays[Math.min(retry, delays.length - 1)] ?? 0;
  const jittered = Math.round(base * (0.75 + random() * 0.5));
  const seconds = retryAfter === null ? NaN : Number(retryAfter);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.max(jittered, Math.min(seconds * 1_000, maxRetryAfterMs)) : jittered;
}

/** Resolves after `ms`, or rejects with the signal's AbortError as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new DOMException('Aborted', 'AbortError'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason ?? new DOMException('Aborted', 'AbortError'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
