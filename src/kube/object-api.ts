import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import {
  HttpMethod,
  KubernetesObjectApi,
  ServerConfiguration,
  createConfiguration,
  type KubeConfig,
  type RequestContext,
  type ResponseContext,
  type V1APIResource,
} from '@kubernetes/client-node';
import { statusFailure } from './errors.js';

// client-node's KubernetesObjectApi brings what a generic client needs: authentication from the
// kubeconfig (tokens, client certificates, exec plugins), TLS, the HTTP library, middleware and
// discovery of a kind's resource (`resource()`, cached per group version). Its typed
// (de)serialisation is what this subclass leaves out: ObjectSerializer maps a known kind through
// its generated model, which drops fields the model does not know, turns timestamps into Dates
// and loses CRD schema keys such as `x-kubernetes-preserve-unknown-fields` and `$ref` (checked
// with client-node 1.4). Server-side apply must send the manifest byte for byte, and drift must
// compare what the server returned, so requests here carry raw JSON both ways. Paths are built
// from discovery without client-node's lower-casing of the whole path (object names keep case).

const statusKey = Symbol('status');

interface Answer {
  [statusKey]: number;
  body: unknown;
}

/** TransportStats counts the requests one cluster client sent. */
export interface TransportStats {
  requests: number;
  /** GET requests (reads, lists, discovery). */
  reads: number;
  /** Requests that change the cluster: non-dry-run PATCH, POST, PUT and DELETE. */
  writes: number;
  /** Server-side dry-run requests (they change nothing). */
  dryRuns: number;
}

/** RawRequest is one request: method, absolute API path, query and body. */
export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  contentType?: string;
}

/** FlotillaObjectApiOptions tune the transport. */
export interface FlotillaObjectApiOptions {
  /** Time allowed for one request, in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Reuse connections (one keep-alive agent per cluster instead of one agent per request). @default true */
  keepAlive?: boolean;
}

/**
 * FlotillaObjectApi is client-node's KubernetesObjectApi for one cluster, sending and returning
 * raw JSON (see above), with a timeout on every request, connection reuse and request counts.
 */
export class FlotillaObjectApi extends KubernetesObjectApi {
  readonly stats: TransportStats = { requests: 0, reads: 0, writes: 0, dryRuns: 0 };
  private readonly agents: { http?: HttpAgent; https?: HttpsAgent } = {};

  static create(kc: KubeConfig, options: FlotillaObjectApiOptions = {}): FlotillaObjectApi {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const timeoutMs = options.timeoutMs ?? 10_000;
    const keepAlive = options.keepAlive ?? true;
    let api: FlotillaObjectApi | undefined;
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server.replace(/\/+$/, ''), {}),
      authMethods: { default: kc },
      promiseMiddleware: [
        {
          pre: async (ctx: RequestContext) => {
            ctx.setSignal(AbortSignal.timeout(timeoutMs));
            if (keepAlive && api) ctx.setAgent(api.reuseAgent(ctx.getAgent()) as HttpsAgent);
            return ctx;
          },
          post: async (rsp: ResponseContext) => rsp,
        },
      ],
    });
    api = new FlotillaObjectApi(configuration);
    return api;
  }

  // kubeconfig authentication builds a fresh agent (TLS options, no keep-alive) for every request;
  // one keep-alive agent with the same options per cluster saves a TLS handshake per request.
  private reuseAgent(agent: unknown): unknown {
    if (agent instanceof HttpsAgent && agent.constructor === HttpsAgent) {
      if (!this.agents.https) {
        const options = (agent as unknown as { options: HttpsAgentOptions }).options;
        // One TLS context per cluster: without it every new connection parses the CA and the
        // client certificate again (a measurable share of a hub's CPU with hundreds of clusters).
        const secureContext = createSecureContext({
          ...(options.ca !== undefined ? { ca: options.ca } : {}),
          ...(options.cert !== undefined ? { cert: options.cert } : {}),
          ...(options.key !== undefined ? { key: options.key } : {}),
          ...(options.pfx !== undefined ? { pfx: options.pfx } : {}),
          ...(options.passphrase !== undefined ? { passphrase: options.passphrase } : {}),
        });
        this.agents.https = new HttpsAgent({ ...options, secureContext, keepAlive: true, maxSockets: 8 });
      }
      agent.destroy();
      return this.agents.https;
    }
    if (agent instanceof HttpAgent && agent.constructor === HttpAgent) {
      this.agents.http ??= new HttpAgent({ keepAlive: true, maxSockets: 8 });
      agent.destroy();
      return this.agents.http;
    }
    return agent; // proxies and other agents are left as client-node made them
  }

  /** send sends one request and returns the parsed JSON answer; error statuses throw KubeApiFailure. */
  async send(request: RawRequest): Promise<unknown> {
    return (await this.exchange(request)).body;
  }

  /** exchange is send() answering the HTTP status too (201 tells a server-side apply created the object). */
  async exchange(request: RawRequest): Promise<{ status: number; body: unknown }> {
    const ctx = this.configuration.baseServer.makeRequestContext(request.path, HttpMethod[request.method]);
    ctx.setHeaderParam('Accept', 'application/json');
    for (const [key, value] of Object.entries(request.query ?? {})) if (value !== undefined) ctx.setQueryParam(key, value);
    if (request.body !== undefined) {
      ctx.setHeaderParam('Content-Type', request.contentType ?? 'application/json');
      ctx.setBody(JSON.stringify(request.body));
    }
    this.count(request);
    const answer = (await this.requestPromise(ctx as RequestContext)) as unknown as Answer;
    return { status: answer[statusKey], body: answer.body };
  }

  private count(request: RawRequest): void {
    this.stats.requests++;
    if (request.method === 'GET') this.stats.reads++;
    else if (request.query?.dryRun) this.stats.dryRuns++;
    else this.stats.writes++;
  }

  /**
   * discover returns the resource of a kind from the server's discovery document for its group
   * version (client-node caches it; a kind missing from the cache is looked up again, which is
   * how a CRD established a moment ago becomes known). Undefined when the group version or the
   * kind is not served.
   */
  async discover(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    const cached = this.apiVersionResourceCache[apiVersion]?.resources.find((r) => r.kind === kind);
    if (cached) return cached;
    try {
      this.stats.requests++;
      this.stats.reads++;
      return await this.resource(apiVersion, kind);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404) return undefined;
      throw error;
    }
  }

  /** forget drops the cached discovery of a group version (after a CRD changed). */
  forget(apiVersion: string): void {
    delete this.apiVersionResourceCache[apiVersion];
  }

  /** close ends the kept-alive connections. */
  close(): void {
    this.agents.https?.destroy();
    this.agents.http?.destroy();
  }

  // Discovery (client-node's resource(), asking for a V1APIResourceList) gets the document itself;
  // requests of this class get it with the status.
  protected override async processResponse<T>(response: ResponseContext, type?: string): Promise<T> {
    const text = await response.body.text();
    if (response.httpStatusCode < 200 || response.httpStatusCode > 299) throw statusFailure(response.httpStatusCode, text);
    const body: unknown = text ? JSON.parse(text) : {};
    if (type === 'V1APIResourceList') return body as T;
    const answer: Answer = { [statusKey]: response.httpStatusCode, body };
    return answer as unknown as T;
  }
}
