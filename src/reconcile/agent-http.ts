import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FlotillaError } from '../core/index.js';
import type { AgentStatus } from './agent.js';

// The agent's own small HTTP endpoint: Prometheus metrics and the probes Kubernetes asks. It has
// no API and takes no writes, so it needs no token; it binds 127.0.0.1 unless told otherwise
// (0.0.0.0 in a pod, where the kubelet and Prometheus reach it on the pod's address).

/** AgentEndpointSource is what the endpoint serves (the Agent and its AgentMetrics fit it). */
export interface AgentEndpointSource {
  status(): AgentStatus;
  ready(): { ready: boolean; reason?: string };
  metrics: { readonly contentType: string; metrics(): Promise<string> };
}

/** AgentEndpoint is the running endpoint. */
export interface AgentEndpoint {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * startAgentEndpoint serves `GET /metrics`, `GET /healthz` (200 while the process serves, with the
 * agent's status as JSON: revision, loop state, hub buffer) and `GET /readyz` (200 once a revision
 * of the cluster was rendered, 503 with the reason before). Anything else is 404; writes are 405.
 */
export async function startAgentEndpoint(source: AgentEndpointSource, options: { port: number; host?: string }): Promise<AgentEndpoint> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return send(405, { error: { code: 'USAGE', message: `${request.method} is not served here; the agent's endpoint is read-only` } });
    }
    if (path === '/healthz') {
      const status = source.status();
      return send(200, { status: 'ok', ...status });
    }
    if (path === '/readyz') {
      const readiness = source.ready();
      return send(readiness.ready ? 200 : 503, readiness);
    }
    if (path === '/metrics') {
      source.metrics.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': source.metrics.contentType });
          response.end(text);
        },
        (error: Error) => send(500, { error: { code: 'INTERNAL', message: error.message } }),
      );
      return;
    }
    send(404, { error: { code: 'API_NOT_FOUND', message: `no route ${request.method} ${path}; the agent serves /metrics, /healthz and /readyz` } });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new FlotillaError('USAGE', `the agent cannot listen on ${options.host ?? '127.0.0.1'}:${options.port}: ${error.code ?? error.message}`, { hint: 'Choose another --port (0 picks a free one) or --host.' })),
    );
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
