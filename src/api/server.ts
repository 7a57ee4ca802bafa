import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { errorCodes, FlotillaError } from '../core/index.js';
import type { RolloutCommand } from '../rollout/index.js';
import type { AuditOutcome, HistoryEvent } from '../store/index.js';
import type { ClusterDetail } from './cluster-detail.js';
import { registerDashboard } from './dashboard-files.js';
import { DeliveryLog, isPushEvent, parseGitPush, verifyGitWebhook } from './git-webhook.js';
import type { AgentReport, AuditLog, ClusterSummary, DeadLetterLog, EventFeed, HubActions, HubState, MetricsSource, SyncRequest, SyncState } from './ports.js';
import { authorize, type Access, type Principal } from './roles.js';
import { hubRoutes, rolloutActions, type RolloutAction } from './routes.js';
import type { TokenAuthority } from './tokens.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    audit?: boolean | 'refusals';
  }
  interface FastifyRequest {
    principal?: Principal;
    /** The body as received, for signature checks. */
    rawBody?: Buffer;
    /** The actor when it is not a token (a webhook). */
    actor?: string;
    auditRequest?: Record<string, unknown>;
    auditMessage?: string;
  }
}

/** BodyLimits are the largest request bodies the hub reads, per kind of route, in bytes. */
export interface BodyLimits {
  /** @default 65536 */
  api: number;
  /** Git push payloads. @default 1048576 */
  hooks: number;
  /** Agent reports. @default 1048576 */
  agents: number;
}

/** HubServerOptions are the server's ports and settings. */
export interface HubServerOptions {
  state: HubState;
  actions: HubActions;
  events: EventFeed;
  audit: AuditLog;
  tokens: TokenAuthority;
  deadLetters?: DeadLetterLog;
  metrics?: MetricsSource;
  /** The webhook secret now (read at each request, so a rotated file takes effect). */
  webhookSecret?: () => string | undefined;
  logger?: Logger;
  /** @default Date.now */
  now?: () => number;
  limits?: Partial<BodyLimits>;
  /** How often an idle SSE stream gets a comment line, so proxies keep it open. @default 15000 */
  sseHeartbeatMs?: number;
  /** Remembers webhook delivery ids (replays are refused). @default a 24-hour window */
  deliveries?: DeliveryLog;
  /** Trust X-Forwarded-For for the audit's remote address (behind a reverse proxy). @default false */
  trustProxy?: boolean;
  /** Where the built dashboard is (served at `/`). @default dist/web beside the package (defaultDashboardDir) */
  dashboardDir?: string;
  /** What GET /api/v1/clusters/:name adds for the dashboard's cluster page (identity, fingerprint, objects, drift). */
  clusterDetail?: (name: string) => ClusterDetail | undefined;
  /** GET /api/v1/plan: the newest revision against what runs (planToJson), or why there is none yet. */
  plan?: () => { plan: Record<string, unknown> } | { plan: null; reason: string };
}

/** HubServer is the hub's HTTP server. */
export interface HubServer {
  readonly app: FastifyInstance;
  /** listen binds the port (0 picks a free one) and answers where it listens. */
  listen(options: { port: number; host?: string }): Promise<{ host: string; port: number; url: string }>;
  /** close ends the event streams, lets requests in flight finish and stops listening. */
  close(): Promise<void>;
}

const stateNames: readonly SyncState[] = ['Synced', 'OutOfSync', 'Progressing', 'Drifted', 'Blocked', 'Failed', 'Unreachable'];
const healthNames = ['Healthy', 'Progressing', 'Degraded', 'Unknown'];

function toProblem(error: unknown): { problem: FlotillaError; status: number } {
  if (error instanceof FlotillaError) return { problem: error, status: errorCodes[error.code].http };
  const e = error as { code?: string; statusCode?: number; message?: string; validation?: unknown; validationContext?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { problem: new FlotillaError('API_BODY_TOO_LARGE', 'the request body is larger than this route accepts'), status: 413 };
  if (e.validation) return { problem: new FlotillaError('USAGE', `${e.validationContext ?? 'request'} ${e.message ?? 'is invalid'}`.replace(/^(\w+) \1/, '$1')), status: 400 };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return { problem: new FlotillaError('USAGE', e.message ?? 'bad request'), status: e.statusCode };
  return { problem: new FlotillaError('INTERNAL', e.message ?? String(error), { cause: error }), status: 500 };
}

function outcomeOf(status: number): AuditOutcome {
  if (status === 401 || status === 403) return 'denied';
  return status < 400 ? 'succeeded' : 'failed';
}

function numberQuery(value: unknown): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new FlotillaError('USAGE', `${String(value)} is not a number`);
  return n;
}

const listQuery = (value: unknown) => (typeof value === 'string' && value !== '' ? value.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

/**
 * createHubServer builds the HTTP surface of SPEC §9 over the hub's ports: token roles checked from
 * the route table before a body is read, every write audited (allowed or denied), the event
 * history as JSON or server-sent events, signed Git webhooks, metrics and health probes.
 */
export async function createHubServer(options: HubServerOptions): Promise<HubServer> {
  const now = options.now ?? Date.now;
  const limits: BodyLimits = { api: 64 * 1024, hooks: 1024 * 1024, agents: 1024 * 1024, ...options.limits };
  const deliveries = options.deliveries ?? new DeliveryLog();
  const heartbeatMs = options.sseHeartbeatMs ?? 15_000;
  const streams = new Set<() => void>();
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Requests are logged once, by the onResponse hook below, with the actor and without headers.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.api,
    trustProxy: options.trustProxy ?? false,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    // A field the schema does not name is an error, never silently dropped: a misspelt `clustr`
    // must not turn a one-cluster sync into a fleet-wide one.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });

  // Bodies are kept raw for the webhook signature, then parsed with fastify's own safe JSON parser.
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    if (raw.length === 0) return done(null, undefined);
    jsonParser(request, raw.toString('utf8'), done);
  });
  // GitHub can send webhooks as a form with the JSON in `payload`.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    request.rawBody = raw;
    const payload = new URLSearchParams(raw.toString('utf8')).get('payload');
    if (payload === null) return done(null, undefined);
    jsonParser(request, payload, done);
  });

  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config.access;
    if (access === undefined || access === 'none' || access === 'signature') return;
    const params = (request.params ?? {}) as Record<string, string>;
    if (request.routeOptions.config.audit && Object.keys(params).length) request.auditRequest = { ...params };
    const authorization = request.headers.authorization;
    const principal = options.tokens.authenticate(authorization);
    request.principal = principal;
    const decision = authorize(access, principal, params);
    if (decision.allowed) return;
    const reason = decision.status === 401 && authorization !== undefined ? (/^Bearer\s+\S/i.test(authorization) ? 'the bearer token is not known to the hub' : 'the Authorization header is not "Bearer TOKEN"') : decision.reason;
    request.auditMessage = reason;
    request.log.warn({ method: request.method, path: request.url.split('?')[0], actor: principal?.name ?? 'anonymous', role: principal?.role, reason }, 'request denied');
    throw new FlotillaError(decision.status === 401 ? 'API_UNAUTHORIZED' : 'API_FORBIDDEN', reason);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const audit = request.routeOptions.config.audit;
    if (!audit) return payload;
    const status = reply.statusCode;
    if (audit === 'refusals' && outcomeOf(status) === 'succeeded') return payload;
    try {
      options.audit.appendAudit({
        time: now(),
        actor: request.actor ?? request.principal?.name ?? 'anonymous',
        ...(request.principal ? { role: request.principal.role } : {}),
        method: request.method,
        path: request.url.split('?')[0]!,
        ...(request.auditRequest ? { request: request.auditRequest } : {}),
        outcome: outcomeOf(status),
        status,
        ...(request.auditMessage ? { message: request.auditMessage } : {}),
        remoteAddress: request.ip,
      });
    } catch (error) {
      request.log.error({ err: error, method: request.method, path: request.url.split('?')[0] }, 'the audit record could not be written');
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const fields = { method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime), actor: request.actor ?? request.principal?.name };
    if (request.method === 'GET' && reply.statusCode < 400) request.log.debug(fields, 'request');
    else request.log.info(fields, 'request');
  });

  app.setErrorHandler((error, request, reply) => {
    const { problem, status } = toProblem(error);
    if (status >= 500) request.log.error({ err: error, method: request.method, path: request.url.split('?')[0] }, 'request failed');
    request.auditMessage ??= problem.message;
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="flotilla"');
    return reply.status(status).send({ error: problem.toJSON() });
  });

  app.setNotFoundHandler((request, reply) => {
    const problem = new FlotillaError('API_NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`);
    return reply.status(404).send({ error: problem.toJSON() });
  });

  const notFound = (what: string) => new FlotillaError('API_NOT_FOUND', what);

  const clusterSummaries = (): ClusterSummary[] => {
    const targets = options.state.targets();
    return options.state.clusters().map((c) => {
      const mine = targets.filter((t) => t.cluster === c.name);
      const sync: Partial<Record<SyncState, number>> = {};
      for (const t of mine) sync[t.sync] = (sync[t.sync] ?? 0) + 1;
      return { ...c, targets: mine.length, sync };
    });
  };

  type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  const handlers: Record<string, { handler: Handler; schema?: Record<string, unknown>; bodyLimit?: number }> = {
    'GET /api/v1/fleet': { handler: async () => options.state.fleet() },
    'GET /api/v1/whoami': { handler: async (request) => ({ name: request.principal!.name, role: request.principal!.role }) },
    'GET /api/v1/clusters': { handler: async () => ({ clusters: clusterSummaries() }) },
    'GET /api/v1/clusters/:name': {
      handler: async (request) => {
        const { name } = request.params as { name: string };
        const cluster = clusterSummaries().find((c) => c.name === name);
        if (!cluster) throw notFound(`the fleet has no cluster ${name}`);
        return { cluster, targets: options.state.targets().filter((t) => t.cluster === name), ...options.clusterDetail?.(name) };
      },
    },
    'GET /api/v1/targets': {
      schema: { querystring: { type: 'object', additionalProperties: false, properties: { cluster: { type: 'string' }, release: { type: 'string' }, sync: { type: 'string' } } } },
      handler: async (request) => {
        const q = request.query as { cluster?: string; release?: string; sync?: string };
        const sync = listQuery(q.sync);
        return { targets: options.state.targets().filter((t) => (q.cluster === undefined || t.cluster === q.cluster) && (q.release === undefined || t.release === q.release) && (!sync || sync.includes(t.sync))) };
      },
    },
    'GET /api/v1/plan': { handler: async () => options.plan?.() ?? { plan: null, reason: 'this hub does not compute plans' } },
    'GET /api/v1/rollouts': { handler: async () => ({ rollouts: options.state.rollouts() }) },
    'GET /api/v1/rollouts/:release': {
      handler: async (request) => {
        const { release } = request.params as { release: string };
        const rollout = options.state.rollouts().find((r) => r.release === release);
        if (!rollout) throw notFound(`release ${release} has no rollout`);
        return { rollout };
      },
    },
    'GET /api/v1/events': {
      schema: { querystring: { type: 'object', additionalProperties: false, properties: { after: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 10000 }, cluster: { type: 'string' }, release: { type: 'string' }, type: { type: 'string' } } } },
      handler: async (request, reply) => {
        const q = request.query as { after?: number; limit?: number; cluster?: string; release?: string; type?: string };
        const query = { cluster: q.cluster, release: q.release, types: listQuery(q.type) };
        if (/\btext\/event-stream\b/.test(String(request.headers.accept ?? ''))) {
          const lastEventId = numberQuery(request.headers['last-event-id']);
          streamEvents(request, reply, { ...query, after: lastEventId ?? q.after });
          return reply;
        }
        return { events: options.events.list({ ...query, after: q.after, limit: q.limit }) };
      },
    },
    'GET /api/v1/dead-letters': {
      schema: { querystring: { type: 'object', additionalProperties: false, properties: { notification: { type: 'string' }, limit: { type: 'integer', minimum: 1, maximum: 10000 } } } },
      handler: async (request) => {
        const q = request.query as { notification?: string; limit?: number };
        return { deadLetters: options.deadLetters?.listDeadLetters(q) ?? [] };
      },
    },
    'GET /api/v1/audit': {
      schema: { querystring: { type: 'object', additionalProperties: false, properties: { after: { type: 'integer', minimum: 0 }, limit: { type: 'integer', minimum: 1, maximum: 10000 }, actor: { type: 'string' }, outcome: { enum: ['succeeded', 'failed', 'denied'] } } } },
      handler: async (request) => ({ audit: options.audit.listAudit(request.query as { after?: number; limit?: number; actor?: string; outcome?: AuditOutcome }) }),
    },
    'POST /api/v1/sync': {
      schema: { body: { type: ['object', 'null'], additionalProperties: false, properties: { cluster: { type: 'string', minLength: 1 }, release: { type: 'string', minLength: 1 }, selector: { type: 'string', minLength: 1 } } } },
      handler: async (request, reply) => {
        const body = (request.body ?? {}) as SyncRequest;
        request.auditRequest = { ...body };
        const accepted = await options.actions.requestSync(body, request.principal!);
        return reply.status(202).send(accepted);
      },
    },
    ...Object.fromEntries(
      rolloutActions.map((action) => [
        `POST /api/v1/rollouts/:release/${action}`,
        {
          schema: { body: action === 'approve' ? { type: ['object', 'null'], additionalProperties: false, properties: { wave: { type: 'string', minLength: 1 } } } : { type: ['object', 'null'], additionalProperties: false, properties: {} } },
          handler: async (request: FastifyRequest) => {
            const { release } = request.params as { release: string };
            const wave = (request.body as { wave?: string } | undefined)?.wave;
            request.auditRequest = { release, action, ...(wave ? { wave } : {}) };
            const command = rolloutCommand(action, wave);
            return { rollout: await options.actions.rolloutAction(release, command, request.principal!) };
          },
        },
      ]),
    ),
    'POST /hooks/git': {
      bodyLimit: limits.hooks,
      handler: async (request, reply) => {
        const verdict = verifyGitWebhook(request.headers, request.rawBody ?? Buffer.alloc(0), options.webhookSecret?.());
        request.actor = `webhook:${verdict.provider ?? 'unknown'}`;
        request.auditRequest = { ...(verdict.provider ? { provider: verdict.provider } : {}), ...(verdict.deliveryId ? { deliveryId: verdict.deliveryId } : {}) };
        if (!verdict.ok) {
          // Never the payload: it may be large, and it is not trusted.
          request.log.warn({ provider: verdict.provider, deliveryId: verdict.deliveryId, remoteAddress: request.ip, bytes: request.rawBody?.length ?? 0, reason: verdict.reason }, 'git webhook rejected: bad signature');
          throw new FlotillaError('WEBHOOK_SIGNATURE_INVALID', verdict.reason);
        }
        request.auditRequest.event = verdict.event;
        if (verdict.deliveryId && !deliveries.remember(`${verdict.provider}:${verdict.deliveryId}`, now())) {
          throw new FlotillaError('WEBHOOK_DUPLICATE_DELIVERY', `delivery ${verdict.deliveryId} was already received; a replay is ignored`);
        }
        if (verdict.provider === 'github' && verdict.event === 'ping') return reply.status(200).send({ pong: true });
        if (!isPushEvent(verdict.provider, verdict.event)) return reply.status(200).send({ triggered: false, reason: `event ${verdict.event} is not a push` });
        const push = parseGitPush(verdict.provider, request.body, verdict.deliveryId);
        Object.assign(request.auditRequest, { ...(push.ref ? { ref: push.ref } : {}), ...(push.after ? { after: push.after } : {}) });
        const outcome = await options.actions.gitPush(push);
        return reply.status(outcome.triggered ? 202 : 200).send(outcome);
      },
    },
    'POST /api/v1/agents/:cluster/report': {
      bodyLimit: limits.agents,
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['targets'],
          properties: {
            agentId: { type: 'string', maxLength: 200 },
            revision: { type: 'string' },
            agentVersion: { type: 'string' },
            dropped: { type: 'integer', minimum: 0 },
            events: {
              type: 'array',
              maxItems: 10000,
              // The events are the agent's typed reconcile events: the envelope is checked, the rest kept.
              items: { type: 'object', required: ['type', 'time', 'seq'], properties: { type: { type: 'string', minLength: 1, maxLength: 100 }, time: { type: 'number' }, seq: { type: 'integer' } } },
            },
            targets: {
              type: 'array',
              maxItems: 10000,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['release', 'sync', 'health'],
                properties: { release: { type: 'string', minLength: 1 }, revision: { type: 'string' }, sync: { enum: stateNames }, health: { enum: healthNames }, drift: { type: 'integer', minimum: 0 }, message: { type: 'string', maxLength: 4096 } },
              },
            },
          },
        },
      },
      handler: async (request, reply) => {
        const { cluster } = request.params as { cluster: string };
        const report = request.body as AgentReport;
        request.auditRequest = { cluster, ...(report.revision ? { revision: report.revision } : {}), targets: report.targets.length, ...(report.events ? { events: report.events.length } : {}) };
        await options.actions.agentReport(cluster, report, request.principal!);
        return reply.status(202).send({ accepted: true });
      },
    },
    'GET /metrics': {
      handler: async (_request, reply) => {
        if (!options.metrics) throw notFound('this hub exports no metrics');
        return reply.header('content-type', options.metrics.contentType).send(await options.metrics.metrics());
      },
    },
    'GET /healthz': { handler: async () => ({ status: 'ok' }) },
    'GET /readyz': {
      handler: async (_request, reply) => {
        const readiness = options.state.ready();
        return reply.status(readiness.ready ? 200 : 503).send(readiness);
      },
    },
  };

  for (const route of hubRoutes) {
    const entry = handlers[`${route.method} ${route.url}`];
    if (!entry) throw new FlotillaError('INTERNAL', `route ${route.method} ${route.url} has no handler`);
    app.route({
      method: route.method,
      url: route.url,
      config: { access: route.access, audit: route.audit },
      ...(entry.schema ? { schema: entry.schema } : {}),
      ...(entry.bodyLimit ? { bodyLimit: entry.bodyLimit } : {}),
      handler: entry.handler,
    });
  }

  function streamEvents(request: FastifyRequest, reply: FastifyReply, query: { after?: number; cluster?: string; release?: string; types?: string[] }): void {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write('retry: 3000\n\n');
    let last = query.after ?? 0;
    let open = true;
    const matches = (e: HistoryEvent) => (query.cluster === undefined || e.cluster === query.cluster) && (query.release === undefined || e.release === query.release) && (!query.types || query.types.includes(e.type));
    const close = () => {
      if (!open) return;
      open = false;
      unsubscribe();
      clearInterval(heartbeat);
      streams.delete(close);
      res.end();
    };
    const send = (e: HistoryEvent) => {
      if (!open || (e.id !== 0 && e.id <= last) || !matches(e)) return;
      res.write(`${e.id ? `id: ${e.id}\n` : ''}event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
      if (e.id) last = e.id;
      // A client that does not read is dropped rather than buffered without end; it reconnects
      // with Last-Event-ID and gets what it missed from the history.
      if (res.writableLength > 1024 * 1024) close();
    };
    // The history read and the subscription happen in one turn of the event loop, so no event
    // falls between them.
    if (query.after !== undefined) for (const e of options.events.list({ after: query.after, cluster: query.cluster, release: query.release, types: query.types, limit: 1000 })) send(e);
    const unsubscribe = options.events.subscribe(send);
    const heartbeat = setInterval(() => open && res.write(': keep-alive\n\n'), heartbeatMs);
    heartbeat.unref();
    streams.add(close);
    request.raw.on('close', close);
    res.on('close', close);
  }

  registerDashboard(app, options.dashboardDir);

  app.addHook('preClose', async () => {
    for (const close of [...streams]) close();
  });

  await app.ready();

  return {
    // The logger type parameter differs with and without a logger; callers only inject requests.
    app: app as unknown as FastifyInstance,
    async listen({ port, host = '127.0.0.1' }) {
      await app.listen({ port, host });
      const address = app.server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      const shown = host.includes(':') ? `[${host}]` : host;
      return { host, port: bound, url: `http://${shown}:${bound}` };
    },
    async close() {
      await app.close();
    },
  };
}

function rolloutCommand(action: RolloutAction, wave: string | undefined): RolloutCommand {
  switch (action) {
    case 'approve':
      return wave ? { type: 'approve', wave } : { type: 'approve' };
    case 'pause':
      return { type: 'pause' };
    case 'resume':
      return { type: 'resume' };
    case 'abort':
      return { type: 'abort' };
  }
}
