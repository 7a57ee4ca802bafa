import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FlotillaError } from '../core/index.js';

// The dashboard is a static single-page app that `npm run build` writes to dist/web (web/ holds its
// source). The hub serves index.html at `/` and the hashed bundles under /assets/. Pages live in
// the URL's hash, so no other path needs the app. The files need no token: the app asks for one
// and every API call carries it.

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

// Same origin only: the app loads nothing from elsewhere and may not be framed (clickjacking of
// the approve button).
const securityHeaders = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * defaultDashboardDir finds the built dashboard beside the code: dist/web seen from src/api (the
 * hub run from source with tsx) or from dist/src/api (the compiled hub). A build has assets/; the
 * app's source directory (web/, whose index.html points at .tsx files) is never served.
 */
export function defaultDashboardDir(): string | undefined {
  for (const relative of ['../../dist/web/', '../../web/']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'assets'))) return dir;
  }
  return undefined;
}

/** DashboardRoutes is the part of the hub's fastify instance that the dashboard's files need. */
export interface DashboardRoutes {
  get(path: string, handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>): unknown;
}

interface CachedFile {
  mtimeMs: number;
  body: Buffer;
  gzip?: Buffer;
}

/**
 * registerDashboard serves the dashboard's files from dir (`GET /`, `/index.html`, `/assets/*`).
 * Without a built dashboard, `/` says how to build it. Files are read when asked for and kept,
 * gzipped once, until they change on disk.
 */
export function registerDashboard(app: DashboardRoutes, dir: string | undefined = defaultDashboardDir()): void {
  const cache = new Map<string, CachedFile>();

  const load = async (path: string): Promise<CachedFile | undefined> => {
    let info;
    try {
      info = await stat(path);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const cached = cache.get(path);
    if (cached && cached.mtimeMs === info.mtimeMs) return cached;
    const body = await readFile(path);
    const type = types[extname(path)] ?? '';
    const file: CachedFile = { mtimeMs: info.mtimeMs, body, ...(body.length > 1024 && /text|json|svg/.test(type) ? { gzip: gzipSync(body) } : {}) };
    cache.set(path, file);
    return file;
  };

  const send = async (request: FastifyRequest, reply: FastifyReply, name: string, immutable: boolean) => {
    const file = dir ? await load(join(dir, name)) : undefined;
    if (!file) {
      return reply.status(404).send({ error: new FlotillaError('API_NOT_FOUND', `the dashboard has no file ${name}`).toJSON() });
    }
    reply.header('content-type', types[extname(name)] ?? 'application/octet-stream');
    // Bundles carry a content hash in their names, so they never change; index.html always may.
    reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    reply.header('vary', 'accept-encoding');
    if (extname(name) === '.html') reply.headers(securityHeaders);
    if (file.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
      reply.header('content-encoding', 'gzip');
      return reply.send(file.gzip);
    }
    return reply.send(file.body);
  };

  const index = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!dir || !(await load(join(dir, 'index.html'))))
      return reply
        .status(503)
        .header('content-type', 'text/html; charset=utf-8')
        .headers(securityHeaders)
        .send('<!doctype html><title>Flotilla</title><p>The dashboard is not built. Run <code>npm run build</code> in the package directory, then reload.</p>\n');
    return send(request, reply, 'index.html', false);
  };
  app.get('/', index);
  app.get('/index.html', index);
  app.get('/assets/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    // One plain file name: no separators, no dot-dot, nothing outside assets/.
    if (!/^[\w][\w.-]*$/.test(file)) return reply.status(404).send({ error: new FlotillaError('API_NOT_FOUND', `the dashboard has no file ${file}`).toJSON() });
    return send(request, reply, `assets/${file}`, true);
  });
}
