// Serves one cluster's ApiServer over HTTPS (or HTTP) on 127.0.0.1, with bounded request bodies
// and the cluster's injected faults: latency, a rate of 5xx answers, and down (the port stops
// accepting connections and open ones, watches included, are cut).
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { ApiServer } from './api-server.js';
import { statusResponse } from './api-server.js';
import { ApiError, entityTooLarge } from './status.js';

/** Faults are the failures a cluster is told to simulate. */
export interface Faults {
  /** Added to every answer, in milliseconds. @default 0 */
  latencyMs: number;
  /** The share of requests (0..1) answered with a 5xx Status instead. @default 0 */
  errorRate: number;
  /** The status of injected errors. @default 500 */
  errorStatus: 500 | 502 | 503 | 504;
  /** Whether the cluster is down: its port refuses connections. @default false */
  down: boolean;
}

/** noFaults is a healthy cluster. */
export const noFaults: Faults = { latencyMs: 0, errorRate: 0, errorStatus: 500, down: false };

/** ClusterHttpServerOptions configure the listener of one cluster. */
export interface ClusterHttpServerOptions {
  api: ApiServer;
  /** TLS key and certificate; plain HTTP when absent. */
  tls?: Pick<SecureContextOptions, 'key' | 'cert'>;
  host?: string;
  /** The largest request body accepted; larger ones get 413. @default 3 MiB (the real server's limit) */
  maxBodyBytes?: number;
  /** Randomness for the error rate (tests seed it). @default Math.random */
  random?: () => number;
}

const reasons: Record<number, string> = { 500: 'InternalError', 502: 'BadGateway', 503: 'ServiceUnavailable', 504: 'Timeout' };

/** ClusterHttpServer is the network face of one sandbox cluster. */
export class ClusterHttpServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private readonly options: ClusterHttpServerOptions;
  private readonly random: () => number;
  private faultState: Faults = { ...noFaults };
  private boundPort = 0;
  private listening = false;
  private readonly stops = new Set<() => void>();

  constructor(options: ClusterHttpServerOptions) {
    this.options = options;
    this.random = options.random ?? Math.random;
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.serve(req, res);
    this.server = options.tls ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createHttpServer(handler);
    this.server.requestTimeout = 60_000;
    this.server.headersTimeout = 30_000;
    // A real API server keeps a client's idle connection open for minutes (client-go holds one
    // HTTP/2 connection for its life). Node's 5 s default would make every client that syncs a
    // cluster every few seconds pay a new TLS handshake each time, which a real cluster never asks.
    this.server.keepAliveTimeout = 90_000;
    this.server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    if (options.tls) {
      // TLS sockets register on secureConnection; the raw sockets must still be cut when down.
      this.server.on('connection', (socket: Socket) => {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
      });
    }
  }

  /** port is the bound port (0 before start). */
  get port(): number {
    return this.boundPort;
  }

  /** faults returns the cluster's current faults. */
  get faults(): Faults {
    return { ...this.faultState };
  }

  /** start listens (on port 0 the first time, on the same port after a down/up). */
  async start(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const address = this.server.address();
    this.boundPort = typeof address === 'object' && address ? address.port : port;
    this.listening = true;
    return this.boundPort;
  }

  /** stop closes the listener and every open connection. */
  async stop(): Promise<void> {
    for (const stop of [...this.stops]) stop();
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }

  /** setFaults changes the faults; going down stops listening, coming up listens on the same port again. */
  async setFaults(change: Partial<Faults>): Promise<Faults> {
    const next = { ...this.faultState, ...change };
    if (!(next.errorRate >= 0 && next.errorRate <= 1)) throw new RangeError('errorRate must be between 0 and 1');
    if (!(next.latencyMs >= 0)) throw new RangeError('latencyMs must be 0 or more');
    const wasDown = this.faultState.down;
    this.faultState = next;
    if (next.down && !wasDown) await this.stop();
    if (!next.down && wasDown) await this.start(this.boundPort);
    return this.faults;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const faults = this.faultState;
    let body = '';
    try {
      body = await readBody(req, this.options.maxBodyBytes ?? 3 * 1024 * 1024);
    } catch (error) {
      if (error instanceof ApiError) write(res, statusResponse(error));
      else res.destroy();
      return;
    }
    if (faults.latencyMs > 0) await new Promise((r) => setTimeout(r, faults.latencyMs));
    if (res.destroyed) return;
    if (faults.errorRate > 0 && this.random() < faults.errorRate) {
      const code = faults.errorStatus;
      write(res, statusResponse(new ApiError(code, reasons[code], `the sandbox cluster injected a ${code} answer (fault injection)`, { causes: [{ message: 'fault injection' }] })));
      return;
    }
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const answer = this.options.api.handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: {
        ...(req.headers.accept !== undefined ? { accept: req.headers.accept } : {}),
        ...(req.headers['content-type'] !== undefined ? { contentType: req.headers['content-type'] } : {}),
        ...(req.headers['user-agent'] !== undefined ? { userAgent: req.headers['user-agent'] } : {}),
        ...(req.headers.authorization !== undefined ? { authorization: req.headers.authorization } : {}),
      },
      body,
    });
    if (!('watch' in answer)) {
      if (req.method === 'HEAD') {
        res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body) });
        res.end();
      } else write(res, answer);
      return;
    }
    res.writeHead(200, { 'content-type': answer.contentType, 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    const stream = answer.watch;
    const stop = () => stream.stop();
    this.stops.add(stop);
    req.on('close', () => {
      this.stops.delete(stop);
      stream.stop();
    });
    stream.start(
      (event) => {
        if (!res.writableEnded && !res.destroyed) {
          // A client that stops reading gets cut off rather than buffered without bound.
          if (res.writableLength > 16 * 1024 * 1024) {
            res.destroy();
            return;
          }
          res.write(answer.encode(event));
        }
      },
      () => {
        this.stops.delete(stop);
        if (!res.writableEnded) res.end();
      },
    );
  }
}

function write(res: ServerResponse, answer: { status: number; contentType: string; body: string }): void {
  res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body), 'cache-control': 'no-cache, private' });
  res.end(answer.body);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    return Promise.reject(entityTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(entityTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
