import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../api/problem';
import { aUser, json, problem, startTestServer, tokens } from '../testing/testServer';
import { Session } from './session';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function serve(handler: Parameters<typeof startTestServer>[0]) {
  const server = await startTestServer(handler);
  close = server.close;
  return server;
}

describe('Session', () => {
  it('Starts_restoring_and_a_valid_cookie_signs_in_again', async () => {
    const server = await serve((req, res) => (req.path === '/api/auth/refresh' ? json(res, 200, tokens('t1')) : res.end()));
    const session = new Session({ baseUrl: server.baseUrl });
    expect(session.getState().status).toBe('restoring');

    expect(await session.restore()).toBe(true);

    expect(session.user?.email).toBe(aUser.email);
    expect(session.accessToken).toBe('t1');
    session.end();
  });

  it('Without_a_cookie_restore_ends_signed_out_without_a_message', async () => {
    const server = await serve((_req, res) => problem(res, 401, { title: 'Unauthorized', detail: 'No session to refresh. Sign in again.' }));
    const session = new Session({ baseUrl: server.baseUrl });

    expect(await session.restore()).toBe(false);

    expect(session.getState()).toEqual({ status: 'signedOut' });
  });

  it('Locked_account_login_throws_the_lockout_problem', async () => {
    const detail = 'Too many failed sign-in attempts. This account is locked until 2026-01-01 10:00:00Z.';
    const server = await serve((_req, res) => problem(res, 423, { title: 'Account locked', detail, lockedUntil: '2026-01-01T10:00:00Z' }));
    const session = new Session({ baseUrl: server.baseUrl });

    const error = (await session.login('a@example.com', 'wrong').catch((e: unknown) => e)) as ApiError;

    expect(error.status).toBe(423);
    expect(error.message).toBe(detail);
    expect(session.accessToken).toBeNull();
  });

  it('Login_sends_the_credentials_as_json_and_keeps_the_token_in_memory', async () => {
    const server = await serve((_req, res) => json(res, 200, tokens('t1')));
    const session = new Session({ baseUrl: server.baseUrl });
    const seen: string[] = [];
    session.subscribe(() => seen.push(session.getState().status));

    await session.login('a@example.com', 'secret-pw');

    expect(JSON.parse(server.requests[0].body)).toEqual({ email: 'a@example.com', password: 'secret-pw' });
    expect(seen).toEqual(['signedIn']);
    session.end();
  });

  it('Token_is_renewed_before_it_expires', async () => {
    let issued = 0;
    const server = await serve((_req, res) => json(res, 200, tokens(`t${++issued}`, 2_500)));
    const session = new Session({ baseUrl: server.baseUrl, refreshMargin: 60_000 });
    await session.login('a@example.com', 'pw');

    await new Promise((resolve) => setTimeout(resolve, 1_800));

    expect(server.requests.map((r) => r.path)).toEqual(['/api/auth/login', '/api/auth/refresh']);
    expect(session.accessToken).toBe('t2');
    session.end();
  });

  it('Logout_revokes_on_the_server_and_forgets_the_user', async () => {
    const server = await serve((req, res) => (req.path === '/api/auth/login' ? json(res, 200, tokens('t1')) : (res.writeHead(204), res.end())));
    const session = new Session({ baseUrl: server.baseUrl });
    await session.login('a@example.com', 'pw');

    await session.logout();

    expect(server.requests.map((r) => r.path)).toEqual(['/api/auth/login', '/api/auth/logout']);
    expect(session.getState()).toEqual({ status: 'signedOut' });
    expect(session.accessToken).toBeNull();
  });
});
