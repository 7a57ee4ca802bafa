// The sandbox's admin endpoint: fault injection and shutdown over HTTP for processes other than
// the one running the clusters (`flotilla sandbox up` writes its address into sandbox.json).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { sameSecret } from './api/api-server.js';
import type { Faults } from './api/http-server.js';
import type { FaultControl } from './sandbox.js';

/** AdminServerOptions wire the endpoint to the running sandbox. */
export interface AdminServerOptions {
  /** The bearer token every request must carry (the sandbox's admin token). */
  token: string;
  clusters(): Array<{ name: string; url: string; fingerprint: string; faults: Faults }>;
  faults(name: string): FaultControl;
  onShutdown?: () => void;
}

/** AdminServer is a started admin endpoint. */
export interface AdminServer {
  url: string;
  stop(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.trim() === '' ? {} : JSON.parse(text);
}

const faultKeys = ['latencyMs', 'errorRate', 'errorStatus', 'down'] as const;

/**
 * startAdminServer serves, on 127.0.0.1 and with the admin token:
 * `GET /clusters`, `GET /clusters/NAME/faults`, `PUT|PATCH /clusters/NAME/faults` (a JSON object
 * with any of latencyMs, errorRate, errorStatus, down), `POST /shutdown` and `GET /healthz`.
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const server = createServer((req, res) => {
    void (async () => {
      if (!sameSecret(req.headers.authorization ?? '', `Bearer ${options.token}`)) return send(res, 401, { error: 'a bearer token is required (the sandbox admin token)' });
      const path = new URL(req.url ?? '/', 'http://admin').pathname.replace(/\/$/, '');
      if (path === '/healthz' && req.method === 'GET') return send(res, 200, { ok: true });
      if (path === '/clusters' && req.method === 'GET') return send(res, 200, { clusters: options.clusters() });
      if (path === '/shutdown' && req.method === 'POST') {
        send(res, 202, { stopping: true });
        options.onShutdown?.();
        return;
      }
      const m = /^\/clusters\/([^/]+)\/faults$/.exec(path);
      if (m) {
        const name = decodeURIComponent(m[1]!);
        if (!options.clusters().some((c) => c.name === name)) return send(res, 404, { error: `no cluster named ${name}` });
        const control = options.faults(name);
        if (req.method === 'GET') return send(res, 200, control.get());
        if (req.method === 'PUT' || req.method === 'PATCH' || req.method === 'POST') {
          let body: unknown;
          try {
            body = await readJson(req);
          } catch (error) {
            return send(res, 400, { error: `the body is not JSON: ${(error as Error).message}` });
          }
          if (body === null || typeof body !== 'object' || Array.isArray(body)) return send(res, 400, { error: 'the body must be a JSON object' });
          const change: Partial<Faults> = {};
          for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
            if (!(faultKeys as readonly string[]).includes(key)) return send(res, 400, { error: `unknown fault ${key}; the faults are ${faultKeys.join(', ')}` });
            (change as Record<string, unknown>)[key] = value;
          }
          if (change.latencyMs !== undefined && typeof change.latencyMs !== 'number') return send(res, 400, { error: 'latencyMs must be a number' });
          if (change.errorRate !== undefined && typeof change.errorRate !== 'number') return send(res, 400, { error: 'errorRate must be a number between 0 and 1' });
          if (change.down !== undefined && typeof change.down !== 'boolean') return send(res, 400, { error: 'down must be true or false' });
          if (change.errorStatus !== undefined && ![500, 502, 503, 504].includes(change.errorStatus)) return send(res, 400, { error: 'errorStatus must be 500, 502, 503 or 504' });
          try {
            const base = req.method === 'PUT' ? { latencyMs: 0, errorRate: 0, errorStatus: 500 as const, down: false } : {};
            return send(res, 200, await control.set({ ...base, ...change }));
          } catch (error) {
            return send(res, 400, { error: (error as Error).message });
          }
        }
        return send(res, 405, { error: 'use GET, PUT or PATCH' });
      }
      return send(res, 404, { error: 'not found' });
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
