// The hub's JSON API as the dashboard reads it. The shapes come from the hub's own ports (type
// imports only, erased by the bundler), so a change there fails the dashboard's type check instead
// of a page at run time. Fields the hub may add later are optional here and shown when present.
import type { ClusterSummary, FleetView, HealthState, SyncState, TargetView } from '../../src/api/ports.js';
import type { RolloutState, TargetRolloutStatus, WavePhase, RolloutPhase, WaveState } from '../../src/rollout/types.js';
import type { AuditRecord, HistoryEvent } from '../../src/store/types.js';
import type { ClusterDetail as HubClusterDetail, ClusterObjectHealth, FingerprintStatus } from '../../src/api/cluster-detail.js';

export type { ClusterSummary, FleetView, HealthState, SyncState, TargetView, RolloutState, TargetRolloutStatus, WavePhase, RolloutPhase, WaveState, AuditRecord, HistoryEvent };

/** Role is what the hub says a token may do. */
export type Role = 'viewer' | 'operator' | 'admin' | 'agent';

/** Whoami is the answer of GET /api/v1/whoami. */
export interface Whoami {
  name: string;
  role: Role;
}

/** DriftFieldView is one drifted field with its values (Secret values come masked from the hub). */
export interface DriftFieldView {
  path: string;
  desired?: unknown;
  live?: unknown;
  masked?: boolean;
}

/** ObjectDriftView is one drifted or missing object of a cluster. */
export interface ObjectDriftView {
  release: string;
  object: string;
  missing?: boolean;
  since?: number;
  fields: (DriftFieldView | string)[];
}

/** ClusterObjectView is one applied object with its health. */
export type ClusterObjectView = ClusterObjectHealth;

/** FingerprintView says whether the live cluster is the one its record names. */
export type FingerprintView = FingerprintStatus;

/**
 * ClusterDetail is the answer of GET /api/v1/clusters/:name: the summary and targets always, the
 * hub's detail (identity, fingerprint, objects, drift with values) when the hub has it.
 */
export type ClusterDetail = { cluster: ClusterSummary; targets: TargetView[] } & Partial<HubClusterDetail>;

/** PlanFieldView is one changed field in the plan. */
export interface PlanFieldView {
  path: string;
  action: 'add' | 'change' | 'remove';
  before?: unknown;
  after?: unknown;
  masked?: boolean;
}

/** PlanView is `plan --output json` of the newest fetched revision against what each cluster runs. */
export interface PlanView {
  base?: string;
  head?: string;
  summary: { clusters: number; objects: number; blocked: number; errors?: number };
  targets: {
    cluster: string;
    release: string;
    selection: 'added' | 'removed' | 'unchanged';
    changes: { action: 'add' | 'change' | 'remove'; object: string; apiVersion?: string; fields: PlanFieldView[] }[];
    guards: { guard: string; object: string | null; message: string }[];
  }[];
  errors?: { cluster: string; release: string | null; code: string; message: string }[];
}

/** ApiError is a failed request with the hub's error code and message. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** ApiClient talks to the hub with one bearer token. */
export interface ApiClient {
  get<T>(path: string, signal?: AbortSignal): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  /** The hub's clock minus ours (ms), from the Date header of the last answer. */
  clockOffset(): number;
}

/** createClient builds a client; onUnauthorized runs when the hub no longer knows the token. */
export function createClient(token: string, onUnauthorized: () => void = () => {}): ApiClient {
  let offset = 0;
  const request = async <T>(method: 'GET' | 'POST', path: string, body?: unknown, signal?: AbortSignal): Promise<T> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const started = Date.now();
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    const date = response.headers.get('date');
    if (date) offset = Date.parse(date) + 500 - (started + Date.now()) / 2;
    const text = await response.text();
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      data = undefined;
    }
    if (!response.ok) {
      const error = (data as { error?: { code?: string; message?: string } } | undefined)?.error;
      if (response.status === 401) onUnauthorized();
      throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? `${method} ${path} answered ${response.status}`);
    }
    return data as T;
  };
  return {
    get: (path, signal) => request('GET', path, undefined, signal),
    post: (path, body) => request('POST', path, body ?? {}),
    clockOffset: () => offset,
  };
}

/** StreamStatus is the state of the live event stream. */
export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

/**
 * streamEvents follows GET /api/v1/events as server-sent events. EventSource cannot send an
 * Authorization header, so the stream is read with fetch; after a drop it reconnects with
 * Last-Event-ID and the hub replays what was missed. Answers a function that stops it.
 */
export function streamEvents(token: string, onEvent: (event: HistoryEvent) => void, onStatus: (status: StreamStatus) => void, onUnauthorized: () => void = () => {}): () => void {
  const controller = new AbortController();
  let lastId: string | undefined;
  let retryMs = 3000;
  const dispatch = (block: string) => {
    let data = '';
    let id: string | undefined;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data += (data ? '\n' : '') + value;
      else if (field === 'id') id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) retryMs = Number(value);
    }
    if (id) lastId = id;
    if (!data) return;
    try {
      onEvent(JSON.parse(data) as HistoryEvent);
    } catch {
      // A malformed event is skipped; the next refresh shows the truth anyway.
    }
  };
  const run = async () => {
    while (!controller.signal.aborted) {
      try {
        const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' };
        if (lastId) headers['last-event-id'] = lastId;
        const response = await fetch('/api/v1/events', { headers, signal: controller.signal, cache: 'no-store' });
        if (response.status === 401) {
          onUnauthorized();
          return;
        }
        if (!response.ok || !response.body) throw new Error(`event stream answered ${response.status}`);
        onStatus('live');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, '\n');
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        if (controller.signal.aborted) return;
      }
      onStatus('reconnecting');
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  };
  onStatus('connecting');
  void run();
  return () => controller.abort();
}
