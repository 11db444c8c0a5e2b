import { errorFromResponse, networkError } from '../api/problem';
import { defaultRetryDelays, isTransientStatus, retryDelay, sleep } from '../api/retry';
import type { Me, TokenResponse } from '../api/types';

export type SessionState =
  | { status: 'restoring' }
  | { status: 'signedOut'; reason?: string }
  | { status: 'signedIn'; user: Me; accessToken: string; expiresAt: number };

export interface SessionOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  /** Milliseconds before expiry at which the access token is renewed. */
  refreshMargin?: number;
  now?: () => number;
  /** The waits before each retry of a refresh that met a 502/503/504 or no answer. */
  retryDelays?: readonly number[];
}

/**
 * Who is signed in. The access token lives only in this object's memory (never in storage a script
 * injected later could read); the refresh token is an HttpOnly cookie the browser sends to /api/auth.
 * A reload therefore starts with {@link restore}, which trades the cookie for a new access token.
 */
export class Session {
  private state: SessionState = { status: 'restoring' };
  private readonly listeners = new Set<() => void>();
  private inFlight: Promise<boolean> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly margin: number;
  private readonly now: () => number;
  private readonly retryDelays: readonly number[];

  constructor(options: SessionOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.margin = options.refreshMargin ?? 60_000;
    this.now = options.now ?? Date.now;
    this.retryDelays = options.retryDelays ?? defaultRetryDelays;
  }

  getState = (): SessionState => this.state;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get accessToken(): string | null {
    return this.state.status === 'signedIn' ? this.state.accessToken : null;
  }

  get user(): Me | null {
    return this.state.status === 'signedIn' ? this.state.user : null;
  }

  /** Signs in; throws the server's ApiError (wrong password, 423 locked, 403 disabled, 429 throttled). */
  async login(email: string, password: string): Promise<Me> {
    const response = await this.post('/api/auth/login', { email, password });
    if (!response.ok) {
      throw await errorFromResponse(response);
    }
    const tokens = (await response.json()) as TokenResponse;
    this.accept(tokens);
    return tokens.user;
  }

  /** On start-up: a valid refresh cookie signs the user in again without a password. */
  async restore(): Promise<boolean> {
    const ok = await this.refresh();
    if (!ok && this.state.status === 'restoring') {
      this.set({ status: 'signedOut' });
    }
    return ok;
  }

  /**
   * Renews the access token with the refresh cookie. Concurrent callers (several requests that all got a 401)
   * share one request: the server rotates the refresh token, so a second presentation would count as reuse.
   */
  refresh(): Promise<boolean> {
    this.inFlight ??= this.doRefresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Ends the session here and on the server (the refresh token is revoked, the cookie cleared). */
  async logout(): Promise<void> {
    try {
      await this.post('/api/auth/logout');
    } finally {
      this.end();
    }
  }

  /** Forgets the session locally, e.g. after the server refused a refresh. */
  end(reason?: string): void {
    this.clearTimer();
    this.set(reason ? { status: 'signedOut', reason } : { status: 'signedOut' });
  }

  /** Replaces the signed-in user's profile (after an edit). */
  updateUser(user: Me): void {
    if (this.state.status === 'signedIn') {
      this.set({ ...this.state, user });
    }
  }

  private async doRefresh(): Promise<boolean> {
    // A refresh that met a draining silo is asked again. Even when the lost attempt had rotated the token, the
    // browser still holds the old cookie, so the next refresh would present it anyway: retrying risks nothing more.
    let response: Response | null = null;
    for (let retry = 0; ; retry++) {
      try {
        response = await this.post('/api/auth/refresh');
      } catch {
        response = null;
      }
      if ((response !== null && !isTransientStatus(response.status)) || retry >= this.retryDelays.length) {
        break;
      }
      await response?.body?.cancel().catch(() => undefined);
      await sleep(retryDelay(this.retryDelays, retry));
    }
    if (response === null || isTransientStatus(response.status)) {
      // Unreachable is not signed out: keep the session and let the next request try again.
      if (this.state.status === 'restoring') {
        this.set({ status: 'signedOut', reason: (response ? await errorFromResponse(response) : networkError(null)).summary });
      }
      return false;
    }
    if (!response.ok) {
      const wasSignedIn = this.state.status === 'signedIn';
      const error = await errorFromResponse(response);
      this.end(wasSignedIn ? error.summary : undefined);
      return false;
    }
    this.accept((await response.json()) as TokenResponse);
    return true;
  }

  private accept(tokens: TokenResponse): void {
    const expiresAt = Date.parse(tokens.expiresAt);
    this.set({ status: 'signedIn', user: tokens.user, accessToken: tokens.accessToken, expiresAt });
    this.schedule(expiresAt);
  }

  private schedule(expiresAt: number): void {
    this.clearTimer();
    const lifetime = expiresAt - this.now();
    // Renew a margin before expiry, but never sooner than half the lifetime (short test lifetimes).
    const delay = Math.max(Math.min(lifetime - this.margin, lifetime / 2), 1_000);
    this.timer = setTimeout(() => void this.refresh(), delay);
  }

  private clearTimer(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private post(path: string, body?: unknown): Promise<Response> {
    return this.fetchImpl(this.baseUrl + path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  }

  private set(state: SessionState): void {
    this.state = state;
    for (const listener of this.listeners) {
      listener();
    }
  }
}
