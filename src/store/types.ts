import type { RolloutState } from '../rollout/index.js';

// The records the hub keeps. They are described here structurally: the reconcile layer's typed
// events (src/reconcile/events.ts) fit HistoryEventInput as they are, without this adapter
// importing a higher layer.

/**
 * HistoryEventInput is an event to record: a `type` and a `time` always; `cluster`, `release`,
 * `object` and `message` when the event has them. Every other field of the object is kept as JSON
 * and comes back unchanged, so any typed event with these fields fits.
 */
export interface HistoryEventInput {
  type: string;
  /** Milliseconds since the epoch. */
  time: number;
  cluster?: string;
  release?: string;
  object?: string;
  message?: string;
}

/** HistoryEvent is a recorded event: every field it was given, plus its id (increasing). */
export interface HistoryEvent extends HistoryEventInput {
  id: number;
  [field: string]: unknown;
}

/** EventQuery narrows a read of the event history. */
export interface EventQuery {
  /** Only events with an id greater than this one (for paging and for SSE's Last-Event-ID). */
  after?: number;
  cluster?: string;
  release?: string;
  /** Only these event types. */
  types?: readonly string[];
  /** At most this many, the newest first unless `after` is given (then the oldest first). @default 100 */
  limit?: number;
}

/**
 * AuditOutcome is how a write ended: `succeeded` (2xx), `failed` (the request was allowed but did
 * not succeed) or `denied` (no token, an unknown token, a role too low, a bad webhook signature).
 */
export type AuditOutcome = 'succeeded' | 'failed' | 'denied';

/** AuditInput is one write to record: who, when, what they asked and how it ended. */
export interface AuditInput {
  time: number;
  /** The token's name, `webhook:github` / `webhook:gitlab`, or `anonymous`. */
  actor: string;
  /** The token's role when the token was known. */
  role?: string;
  method: string;
  path: string;
  /** A short summary of the request body (never a token or secret). */
  request?: Record<string, unknown>;
  outcome: AuditOutcome;
  status: number;
  /** Why it was denied or failed. */
  message?: string;
  remoteAddress?: string;
}

/** AuditRecord is a recorded write. */
export interface AuditRecord extends AuditInput {
  id: number;
}

/** AuditQuery narrows a read of the audit log. */
export interface AuditQuery {
  after?: number;
  actor?: string;
  outcome?: AuditOutcome;
  /** @default 100 */
  limit?: number;
}

/** TargetSnapshot is the last known status of one target (a release on a cluster). */
export interface TargetSnapshot {
  cluster: string;
  release: string;
  /** The revision the cluster has. */
  revision?: string;
  /** The revision the fleet wants there (the pinned one during a rollout). */
  desiredRevision?: string;
  /** A SyncState of SPEC §6. */
  sync: string;
  /** A health state of SPEC §6. */
  health: string;
  /** Objects drifted or missing. */
  drift: number;
  message: string;
  updatedAt: number;
}

/** DeadLetterInput is a notification that could not be delivered. It never holds the URL or secret. */
export interface DeadLetterInput {
  time: number;
  /** The notification's name in the fleet file. */
  notification: string;
  /** `slack` or `webhook`. */
  provider: string;
  deliveryId: string;
  event: HistoryEventInput;
  attempts: number;
  /** The last error, with the URL redacted. */
  error: string;
}

/** DeadLetter is a recorded dead letter. */
export interface DeadLetter extends DeadLetterInput {
  id: number;
}

/** StoredRollout is the state of one release's rollout and when it was written. */
export interface StoredRollout {
  release: string;
  state: RolloutState;
  updatedAt: number;
}

/** RetentionOptions bound the history so that the database does not grow without end. */
export interface RetentionOptions {
  /** Events kept (the oldest go first). @default 100000 */
  maxEvents: number;
  /** Audit records kept. @default 100000 */
  maxAuditRecords: number;
  /** Dead letters kept. @default 10000 */
  maxDeadLetters: number;
  /** Events, audit records and dead letters older than this many milliseconds go. @default 90 days */
  maxAgeMs: number;
}

/** defaultRetention is the retention a hub uses unless told otherwise. */
export function defaultRetention(): RetentionOptions {
  return { maxEvents: 100_000, maxAuditRecords: 100_000, maxDeadLetters: 10_000, maxAgeMs: 90 * 24 * 3600 * 1000 };
}
