import type { AgentReportBody, ReportOutcome, ReportTransport } from './agent-reporter.js';

// The agent's side of POST /api/v1/agents/:cluster/report: one request per report, the bearer
// token read at each request (a rotated token file takes effect without a restart), a timeout,
// and the answer sorted into what the reporter should do next. Messages never carry the token.

/** HubReportTransportOptions say where the hub is and how to authenticate. */
export interface HubReportTransportOptions {
  /** The hub's base URL, e.g. `https://flotilla.example.com`. */
  hub: string;
  cluster: string;
  /** The agent token, or a function that reads it (a mounted Secret file) at each request. */
  token: string | (() => string);
  /** @default 10000 */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** reportUrl is where an agent of `cluster` posts its reports on `hub`. */
export function reportUrl(hub: string, cluster: string): URL {
  const base = hub.endsWith('/') ? hub : `${hub}/`;
  return new URL(`api/v1/agents/${encodeURIComponent(cluster)}/report`, base);
}

/**
 * classifyReportAnswer sorts the hub's HTTP status into a ReportOutcome: 2xx accepted; 413 too
 * large; 400 and 422 rejected (the report itself is wrong); everything else, 401 and 403 included
 * (a token that may be fixed on either side), is retried with backoff while events stay buffered.
 */
export function classifyReportAnswer(status: number, message: string): ReportOutcome {
  if (status >= 200 && status < 300) return { kind: 'accepted' };
  if (status === 413) return { kind: 'tooLarge', message };
  if (status === 400 || status === 422) return { kind: 'rejected', status, message };
  return { kind: 'retry', status, message };
}

/** hubReportTransport is the ReportTransport that posts to a hub over HTTP(S). */
export function hubReportTransport(options: HubReportTransportOptions): ReportTransport {
  const url = reportUrl(options.hub, options.cluster);
  const doFetch = options.fetch ?? globalThis.fetch;
  return async (body: AgentReportBody): Promise<ReportOutcome> => {
    let token: string;
    try {
      token = typeof options.token === 'function' ? options.token() : options.token;
    } catch (error) {
      return { kind: 'retry', message: `the agent token cannot be read: ${(error as Error).message}` };
    }
    let answer: Response;
    try {
      answer = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { kind: 'retry', message: `hub ${url.origin} does not answer: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
    }
    let message = `hub answered ${answer.status}`;
    try {
      const text = await answer.text();
      const parsed = JSON.parse(text) as { error?: { code?: string; message?: string } };
      if (parsed.error?.message) message = `${parsed.error.code ?? answer.status}: ${parsed.error.message}`;
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    return classifyReportAnswer(answer.status, message);
  };
}
