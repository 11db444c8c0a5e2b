import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../auth/session';
import { aUser, json, problem, startTestServer, tokens } from '../testing/testServer';
import { ApiClient } from './client';
import { ApiError } from './problem';

/** The production backoff, shortened: the tests count attempts, not milliseconds. */
const fastRetries = [5, 5, 5];

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function signedIn(handler: Parameters<typeof startTestServer>[0]) {
  const server = await startTestServer(handler);
  close = server.close;
  const session = new Session({ baseUrl: server.baseUrl });
  const client = new ApiClient(session, server.baseUrl, undefined, fastRetries);
  return { server, session, client };
}

const loginHandler = (path: string, res: Parameters<typeof json>[0]) => {
  if (path === '/api/auth/login') {
    json(res, 200, tokens('token-1'));
    return true;
  }
  return false;
};

describe('ApiClient', () => {
  it('Failed_request_carries_the_problem_detail_and_field_errors', async () => {
    const { session, client } = await signedIn((req, res) => {
      if (loginHandler(req.path, res)) return;
      problem(res, 400, { title: 'The request has invalid fields.', errors: { name: ['A name is required.'], slug: ['Bad slug.'] } });
    });
    await session.login('a@example.com', 'pw');

    const error = await client.post('/api/tenants', { name: '' }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    const api = error as ApiError;
    expect(api.status).toBe(400);
    expect(api.title).toBe('The request has invalid fields.');
    expect(api.fieldError('Name')).toBe('A name is required.');
    expect(api.summary).toContain('Bad slug.');
  });

  it('Conflict_message_is_the_servers_detail', async () => {
    const { session, client } = await signedIn((req, res) => {
      if (loginHandler(req.path, res)) return;
      problem(res, 409, { title: 'Conflict', detail: 'A tenant with this slug already exists.' });
    });
    await session.login('a@example.com', 'pw');

    const error = (await client.post('/api/tenants', {}).catch((e: unknown) => e)) as ApiError;

    expect(error.message).toBe('A tenant with this slug already exists.');
    expect(error.title).toBe('Conflict');
  });

  it('Error_without_a_problem_body_still_has_a_readable_title', async () => {
    const { client } = await signedIn((_req, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });

    const error = (await client.post('/api/me').catch((e: unknown) => e)) as ApiError;

    expect(error.status).toBe(502);
    expect(error.message).toBe('Bad gateway');
  });

  it('Expired_token_is_refreshed_once_and_the_request_repeated_with_the_new_one', async () => {
    const { server, session, client } = await signedIn((req, res) => {
      if (loginHandler(req.path, res)) return;
      if (req.path === '/api/auth/refresh') return json(res, 200, tokens('token-2'));
      if (req.authorization === 'Bearer token-2') return json(res, 200, aUser);
      problem(res, 401, { title: 'Unauthorized' });
    });
    await session.login('a@example.com', 'pw');

    const me = await client.get<typeof aUser>('/api/me');

    expect(me.email).toBe(aUser.email);
    expect(server.requests.map((r) => `${r.method} ${r.path} ${r.authorization ?? ''}`)).toEqual([
      'POST /api/auth/login ',
      'GET /api/me Bearer token-1',
      'POST /api/auth/refresh ',
      'GET /api/me Bearer token-2',
    ]);
    expect(session.accessToken).toBe('token-2');
  });

  it('Refused_refresh_ends_the_session_without_a_second_retry', async () => {
    const { server, session, client } = await signedIn((req, res) => {
      if (loginHandler(req.path, res)) return;
      if (req.path === '/api/auth/refresh') return problem(res, 401, { title: 'Unauthorized', detail: 'The session has ended. Sign in again.' });
      problem(res, 401, { title: 'Unauthorized' });
    });
    await session.login('a@example.com', 'pw');

    const error = (await client.get('/api/me').catch((e: unknown) => e)) as ApiError;

    expect(error.status).toBe(401);
    expect(server.requests.filter((r) => r.path === '/api/me')).toHaveLength(1);
    expect(server.requests.filter((r) => r.path === '/api/auth/refresh')).toHaveLength(1);
    expect(session.getState()).toEqual({ status: 'signedOut', reason: 'The session has ended. Sign in again.' });
  });

  it('Concurrent_401s_share_one_refresh', async () => {
    const { server, session, client } = await signedIn((req, res) => {
      if (loginHandler(req.path, res)) return;
      if (req.path === '/api/auth/refresh') return setTimeout(() => json(res, 200, tokens('token-2')), 50);
      if (req.authorization === 'Bearer token-2') return json(res, 200, { ok: req.path });
      problem(res, 401, { title: 'Unauthorized' });
    });
    await session.login('a@example.com', 'pw');

    const results = await Promise.all([client.get('/api/a'), client.get('/api/b'), client.get('/api/c')]);

    expect(results).toEqual([{ ok: '/api/a' }, { ok: '/api/b' }, { ok: '/api/c' }]);
    expect(server.requests.filter((r) => r.path === '/api/auth/refresh')).toHaveLength(1);
  });

  it('Anonymous_401_is_not_refreshed', async () => {
    const { server, client } = await signedIn((_req, res) => problem(res, 401, { title: 'Unauthorized' }));

    await expect(client.get('/api/me')).rejects.toMatchObject({ status: 401 });
    expect(server.requests).toHaveLength(1);
  });

  it('Unreachable_server_is_a_network_error', async () => {
    const session = new Session({ baseUrl: 'http://127.0.0.1:1' });
    const client = new ApiClient(session, 'http://127.0.0.1:1', undefined, fastRetries);

    const error = (await client.get('/api/me').catch((e: unknown) => e)) as ApiError;

    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
    expect(error.message).toContain('could not be reached');
  });

  it('Query_values_are_encoded_and_blanks_left_out', async () => {
    const { server, client } = await signedIn((_req, res) => json(res, 200, []));

    await client.get('/api/users', { query: { search: 'a&b c', page: 2, empty: '', none: undefined } });

    expect(server.requests[0].path).toBe('/api/users?search=a%26b+c&page=2');
  });

  it('Binary_upload_is_sent_as_is_with_its_type', async () => {
    const { server, session, client } = await signedIn((req, res) => {
      if (loginHandler(req.path, res)) return;
      json(res, 200, { url: '/x', contentType: 'image/png', sha256: 'ab' });
    });
    await session.login('a@example.com', 'pw');

    await client.put('/api/tenants/t/logo', new Blob(['PNGDATA'], { type: 'image/png' }));

    expect(server.requests[1].body).toBe('PNGDATA');
  });
});
