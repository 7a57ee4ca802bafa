import { FlotillaError, formatRef, type ObjectRef } from '../core/index.js';

// Every failure of a request to a cluster becomes a FlotillaError here, in one of two codes:
// KUBE_UNREACHABLE (no answer at all: retry later, the cluster is Unreachable) and
// KUBE_REQUEST_FAILED (the server answered with an error status: its reason is quoted). Messages
// never include request headers or the kubeconfig, so a token cannot leak into logs or events.

/** KubeApiFailure is an error status the API server answered with (thrown by the transport). */
export class KubeApiFailure extends Error {
  readonly status: number;
  /** The Status object's reason (`NotFound`, `Invalid`, `Conflict`…), when the body was one. */
  readonly reason?: string;
  constructor(status: number, reason: string | undefined, message: string) {
    super(message);
    this.name = 'KubeApiFailure';
    this.status = status;
    this.reason = reason;
  }
}

/** statusFailure reads an error response body (a Status object, or text) into a KubeApiFailure. */
export function statusFailure(status: number, body: string): KubeApiFailure {
  let reason: string | undefined;
  let message = body.trim();
  try {
    const parsed = JSON.parse(body) as { kind?: string; reason?: string; message?: string };
    if (parsed && typeof parsed === 'object') {
      if (typeof parsed.reason === 'string' && parsed.reason) reason = parsed.reason;
      if (typeof parsed.message === 'string') message = parsed.message;
    }
  } catch {
    // not JSON: keep the text, cut short
  }
  if (message.length > 2000) message = message.slice(0, 2000) + '…';
  return new KubeApiFailure(status, reason, message || `HTTP ${status}`);
}

const unreachableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'ERR_TLS_CERT_ALTNAME_INVALID']);

function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth++) {
    const e = current as { code?: unknown; errno?: unknown; name?: unknown; type?: unknown; cause?: unknown };
    if (e.name === 'AbortError' || e.name === 'TimeoutError' || e.type === 'aborted') return 'timeout';
    if (typeof e.code === 'string' && (unreachableCodes.has(e.code) || e.code.startsWith('ERR_TLS') || e.code.startsWith('ERR_SSL'))) return e.code;
    if (typeof e.errno === 'string' && unreachableCodes.has(e.errno)) return e.errno;
    if (e.type === 'system' && typeof e.code === 'string') return e.code;
    current = e.cause;
  }
  return undefined;
}

/** KubeRequestContext names what a failed request was doing, for the message. */
export interface KubeRequestContext {
  cluster: string;
  /** What was being done: `apply`, `get`, `list`, `delete`, `watch`, `discovery`… */
  verb: string;
  object?: ObjectRef;
  /** Used when there is no object: the kind or path. */
  what?: string;
}

/** isRetryableStatus tells which answers are worth trying again: throttling and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/**
 * kubeError turns anything a request threw into a FlotillaError that names the cluster, the verb
 * and the object. Network failures and timeouts are KUBE_UNREACHABLE and retryable; error
 * statuses are KUBE_REQUEST_FAILED, retryable for 429 and 5xx.
 */
export function kubeError(error: unknown, ctx: KubeRequestContext): FlotillaError {
  if (error instanceof FlotillaError) return error;
  const subject = ctx.object ? formatRef(ctx.object) : ctx.what ?? '';
  const doing = `${ctx.verb}${subject ? ` ${subject}` : ''}`;
  if (error instanceof KubeApiFailure) {
    return new FlotillaError('KUBE_REQUEST_FAILED', `cluster ${ctx.cluster}: ${doing}: ${error.status}${error.reason ? ` ${error.reason}` : ''}: ${error.message}`, {
      cluster: ctx.cluster,
      object: ctx.object,
      retryable: isRetryableStatus(error.status),
      cause: error,
    });
  }
  const code = networkCode(error);
  if (code) {
    const why = code === 'timeout' ? 'the request timed out' : `${code}${(error as Error).message ? ` (${safeMessage(error)})` : ''}`;
    return new FlotillaError('KUBE_UNREACHABLE', `cluster ${ctx.cluster}: ${doing}: the API server is unreachable: ${why}`, { cluster: ctx.cluster, object: ctx.object, retryable: true, cause: error });
  }
  return new FlotillaError('KUBE_REQUEST_FAILED', `cluster ${ctx.cluster}: ${doing}: ${safeMessage(error)}`, { cluster: ctx.cluster, object: ctx.object, cause: error });
}

// node-fetch's messages quote the URL; a URL may hold userinfo, so it is reduced to its origin.
function safeMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/(https?:\/\/)[^/@\s]*@/g, '$1').slice(0, 500);
}

/** isUnreachable tells whether an error means the cluster did not answer at all. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof FlotillaError && error.code === 'KUBE_UNREACHABLE';
}

/** isNotFound tells whether an error is the server's 404 (a missing object or an unserved kind). */
export function isNotFound(error: unknown): boolean {
  const cause = error instanceof FlotillaError ? (error as { cause?: unknown }).cause : error;
  return cause instanceof KubeApiFailure && cause.status === 404;
}
