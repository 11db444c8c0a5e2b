import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../auth/session';
import { json, problem, startTestServer, tokens } from '../testing/testServer';
import { ApiClient } from './client';
import { ApiError } from './problem';
import { retryDelay } from './retry';

// A silo draining behind the load balancer: the balancer answers 502/503/504 or drops the connection for a moment.
const fastRetries = [5, 5, 5];

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

type Handler = Parameters<typeof startTestServer>[0];
type Res = Parameters<Handler>[1];

/** A server that answers the n-th request (1-based) with `answers[n - 1]`, and then the last answer for ever. */
async function draining(answers: ((res: Res) => void)[]) {
  let count = 0;
  const server = await startTestServer((_req, res) => answers[Math.min(count++, answers.length - 1)](res));
  close = server.close;
  const client = new ApiClient({ accessToken: null, refresh: () => Promise.resolve(false) }, server.baseUrl, undefined, fastRetries);
  return { server, client };
}

const unavailable = (status: number) => (res: Res) => problem(res, status, { title: 'Service unavailable' });
const dropped = (res: Res) => res.socket?.destroy();
const ok = (body: unknown) => (res: Res) => json(res, 200, body);

describe('ApiClient retries', () => {
  it('Read_that_meets_a_draining_silo_succeeds_on_a_later_attempt', async () => {
    const { server, client } = await draining([unavailable(503), unavailable(502), ok({ name: 'pve1' })]);

    const result = await client.get('/api/servers/1');

    expect(result).toEqual({ name: 'pve1' });
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
  });

  it('Dropped_connection_is_retried_like_a_gateway_error', async () => {
    const { server, client } = await draining([dropped, ok([])]);

    await expect(client.get('/api/tenants')).resolves.toEqual([]);
    expect(server.requests).toHaveLength(2);
  });

  it('Read_is_tried_four_times_at_most_and_then_shows_the_last_answer', async () => {
    const { server, client } = await draining([unavailable(504)]);

    const error = (await client.get('/api/me').catch((e: unknown) => e)) as ApiError;

    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(504);
    expect(server.requests).toHaveLength(4);
  });

  it('Put_is_repeated_with_the_same_body', async () => {
    const { server, client } = await draining([unavailable(503), ok({ primaryColor: '#112233' })]);

    await client.put('/api/tenants/t/settings', { primaryColor: '#112233' });

    expect(server.requests.map((r) => `${r.method} ${r.body}`)).toEqual([
      'PUT {"primaryColor":"#112233"}',
      'PUT {"primaryColor":"#112233"}',
    ]);
  });

  it('Delete_whose_first_attempt_went_unanswered_counts_a_404_as_done', async () => {
    // The first attempt reached the server, which deleted the row, but the answer was lost on the way back.
    const { server, client } = await draining([dropped, (res) => problem(res, 404, { title: 'Not found', detail: 'The server does not exist.' })]);

    await expect(client.delete('/api/servers/1')).resolves.toBeUndefined();
    expect(server.requests.map((r) => r.method)).toEqual(['DELETE', 'DELETE']);
  });

  it('Delete_of_something_that_never_existed_is_still_a_404', async () => {
    const { client } = await draining([(res) => problem(res, 404, { title: 'Not found' })]);

    await expect(client.delete('/api/servers/1')).rejects.toMatchObject({ status: 404 });
  });

  it.each(['POST', 'PATCH'])('%s_is_never_repeated', async (method) => {
    const { server, client } = await draining([unavailable(503), ok({})]);

    const call = method === 'POST' ? client.post('/api/servers/1/vms/qemu/100/actions/start') : client.patch('/api/servers/1', { name: 'x' });

    await expect(call).rejects.toMatchObject({ status: 503 });
    expect(server.requests).toHaveLength(1);
  });

  it('Server_error_and_client_errors_are_not_retried', async () => {
    const { server, client } = await draining([(res) => problem(res, 500, { title: 'Server error' })]);

    await expect(client.get('/api/me')).rejects.toMatchObject({ status: 500 });
    expect(server.requests).toHaveLength(1);
  });

  it('Abort_during_the_backoff_stops_at_once', async () => {
    const server = await startTestServer((_req, res) => problem(res, 503, { title: 'Service unavailable' }));
    close = server.close;
    const client = new ApiClient({ accessToken: null, refresh: () => Promise.resolve(false) }, server.baseUrl, undefined, [60_000]);
    const abort = new AbortController();

    const call = client.get('/api/me', { signal: abort.signal });
    await new Promise((r) => setTimeout(r, 50));
    abort.abort();

    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(server.requests).toHaveLength(1);
  });

  it('Backoff_has_jitter_and_honours_a_short_retry_after_only', () => {
    expect(retryDelay([100, 400], 0, null, () => 0)).toBe(75);
    expect(retryDelay([100, 400], 0, null, () => 1)).toBe(125);
    expect(retryDelay([100, 400], 5, null, () => 0.5)).toBe(400);
    expect(retryDelay([100, 400], 0, '1', () => 0.5)).toBe(1_000);
    expect(retryDelay([100, 400], 0, '3600', () => 0.5)).toBe(2_000);
    expect(retryDelay([100, 400], 0, 'Wed, 21 Oct 2015 07:28:00 GMT', () => 0.5)).toBe(100);
  });
});

describe('Session refresh during a drain', () => {
  it('Refresh_answered_503_is_asked_again_and_the_user_stays_signed_in', async () => {
    let refreshes = 0;
    const server = await startTestServer((req, res) => {
      if (req.path === '/api/auth/refresh' && refreshes++ === 0) {
        return problem(res, 503, { title: 'Service unavailable' });
      }
      json(res, 200, tokens('t2'));
    });
    close = server.close;
    const session = new Session({ baseUrl: server.baseUrl, retryDelays: fastRetries });

    expect(await session.restore()).toBe(true);

    expect(session.accessToken).toBe('t2');
    expect(refreshes).toBe(2);
    session.end();
  });

  it('Signed_in_user_is_not_signed_out_by_a_refresh_that_found_no_silo', async () => {
    let signedIn = false;
    const server = await startTestServer((req, res) => {
      if (req.path === '/api/auth/login') {
        signedIn = true;
        return json(res, 200, tokens('t1'));
      }
      problem(res, 502, { title: 'Bad gateway' });
    });
    close = server.close;
    const session = new Session({ baseUrl: server.baseUrl, retryDelays: fastRetries });
    await session.login('a@example.com', 'pw');

    expect(await session.refresh()).toBe(false);

    expect(signedIn).toBe(true);
    expect(session.getState().status).toBe('signedIn');
    expect(server.requests.filter((r) => r.path === '/api/auth/refresh')).toHaveLength(4);
    session.end();
  });
});
