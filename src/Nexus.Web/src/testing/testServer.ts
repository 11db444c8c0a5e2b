import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

type Handler = (req: Recorded, res: ServerResponse) => void;

/** A real HTTP server on loopback that answers like the Nexus API would, and records what it was sent. */
export async function startTestServer(handler: Handler) {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function json(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'Content-Type': type });
  res.end(JSON.stringify(body));
}

export function problem(res: ServerResponse, status: number, body: Record<string, unknown>) {
  json(res, status, { status, ...body }, 'application/problem+json');
}

export const aUser = {
  id: '11111111-1111-1111-1111-111111111111',
  email: 'admin@example.com',
  fullName: 'Ada Admin',
  username: null,
  company: null,
  globalRole: 'admin' as const,
  createdAt: '2026-01-01T00:00:00Z',
  tenants: [],
};

export function tokens(accessToken: string, lifetimeMs = 15 * 60_000) {
  return { accessToken, expiresAt: new Date(Date.now() + lifetimeMs).toISOString(), user: aUser };
}
