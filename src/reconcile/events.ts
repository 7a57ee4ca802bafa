import type { ChangeSetCounts } from '../core/index.js';
import type { HealthStatus } from '../health/index.js';
import type { RolloutEvent } from '../rollout/index.js';

// The typed event stream of the reconcile layer. Notifications, metrics, the audit store and the
// API's server-sent events subscribe to it; the names of the events a fleet file can subscribe to
// (SPEC §2.2 notifications.events) are the `type`s here.

/**
 * SyncState is a target's sync state, in the words SPEC §6 uses everywhere: `Synced`, `OutOfSync`
 * (desired revision not applied yet), `Progressing` (applied, waiting for health), `Drifted`,
 * `Blocked` (a guard), `Failed`, `Unreachable`.
 */
export type SyncState = 'Synced' | 'OutOfSync' | 'Progressing' | 'Drifted' | 'Blocked' | 'Failed' | 'Unreachable';

/** syncStates lists every sync state. */
export const syncStates: readonly SyncState[] = ['Synced', 'OutOfSync', 'Progressing', 'Drifted', 'Blocked', 'Failed', 'Unreachable'];

interface EventBase {
  /** Milliseconds since the epoch (the loop's clock). */
  time: number;
  cluster: string;
}

/** SyncSucceededEvent is the event `SyncSucceeded`: a target was applied (and, when it waits, became healthy). */
export interface SyncSucceededEvent extends EventBase {
  type: 'SyncSucceeded';
  release: string;
  revision: string;
  changes: ChangeSetCounts;
  health: HealthStatus;
}

/** SyncFailedEvent is the event `SyncFailed`: a target's render, apply, prune or wait failed. */
export interface SyncFailedEvent extends EventBase {
  type: 'SyncFailed';
  release: string;
  revision: string;
  code: string;
  message: string;
}

/** GuardBlockedEvent is the event `GuardBlocked`: a guard (or the fingerprint check) blocked a target; nothing was written. */
export interface GuardBlockedEvent extends EventBase {
  type: 'GuardBlocked';
  release: string;
  revision: string;
  guard: string;
  /** The offending object, `Kind/namespace/name`, when there is one. */
  object?: string;
  message: string;
}

/** DriftDetectedEvent is the event `DriftDetected`: a live object differs from the desired one in fields Flotilla applies. */
export interface DriftDetectedEvent extends EventBase {
  type: 'DriftDetected';
  release: string;
  revision: string;
  /** `Kind/namespace/name`. */
  object: string;
  /** JSON pointers of the drifted fields; empty when the object is missing. */
  fields: string[];
  missing: boolean;
  /** Whether Flotilla corrects it (the release's selfHeal). */
  selfHeal: boolean;
}

/** DriftCorrectedEvent is the event `DriftCorrected`: drift was corrected by applying the pinned revision again. */
export interface DriftCorrectedEvent extends EventBase {
  type: 'DriftCorrected';
  release: string;
  revision: string;
  object: string;
  fields: string[];
  /** Milliseconds from noticing the drift to the corrected object. */
  latencyMs: number;
}

/**
 * DriftResolvedEvent is the event `DriftResolved`: reported drift went away without a correction of
 * Flotilla's own (a person put the object back, or a sync applied it), so status readers look again.
 */
export interface DriftResolvedEvent extends EventBase {
  type: 'DriftResolved';
  release: string;
  revision: string;
  object: string;
}

/** ClusterUnreachableEvent is the event `ClusterUnreachable`: the cluster did not answer; it is retried after `retryInMs`. */
export interface ClusterUnreachableEvent extends EventBase {
  type: 'ClusterUnreachable';
  message: string;
  retryInMs?: number;
}

/** ClusterReachableEvent is the event `ClusterReachable`: an unreachable cluster answers again. */
export interface ClusterReachableEvent extends EventBase {
  type: 'ClusterReachable';
}

/** RolloutEventBase is what every rollout event carries (SPEC §7); rollout events are about a release, not one cluster. */
export interface RolloutEventBase {
  time: number;
  release: string;
  /** The revision the rollout moves the release to. */
  revision: string;
  message: string;
  /** The wave the event is about, when it is about one. */
  wave?: string;
  /** The cluster the event is about, when it is about one. */
  cluster?: string;
  /** Who sent the command (approve, pause, resume, abort) that led to the event. */
  actor?: string;
}

/** RolloutStartedEvent is the event `RolloutStarted`: a release's rendered output changed and its new revision starts to move, wave by wave. */
export interface RolloutStartedEvent extends RolloutEventBase {
  type: 'RolloutStarted';
  /** The waves in order, with the clusters whose output changed. */
  waves: { name: string; clusters: string[] }[];
}

/** RolledBackEvent is the event `RolledBack`: a failed target was pinned back to the last revision that was healthy on its cluster. */
export interface RolledBackEvent extends RolloutEventBase {
  type: 'RolledBack';
  cluster: string;
  /** The revision the cluster goes back to. */
  to: string;
  reason: string;
}

/**
 * RolloutStepEvent is one of the events the rollout state machine decides (src/rollout's
 * RolloutEvent): `WaveStarted`, `WaveCompleted`, `WaitingForApproval` (the wave waits for
 * `flotilla rollout approve`), `RolloutPaused`, `RolloutResumed`, `TargetFailed`, `RolloutHalted`,
 * `RolloutAborted`, `RolloutCompleted`, `CommandIgnored`.
 */
export type RolloutStepEvent = { [T in RolloutEvent]: RolloutEventBase & { type: T } }[RolloutEvent];

/** RolloutDriverEvent is every event of a rollout. */
export type RolloutDriverEvent = RolloutStartedEvent | RolledBackEvent | RolloutStepEvent;

/** ReconcileEvent is every event the reconcile layer emits. */
export type ReconcileEvent = SyncSucceededEvent | SyncFailedEvent | GuardBlockedEvent | DriftDetectedEvent | DriftCorrectedEvent | DriftResolvedEvent | ClusterUnreachableEvent | ClusterReachableEvent | RolloutDriverEvent;

/** EventSink receives events; it must not throw (a failing subscriber never stops a sync). */
export type EventSink = (event: ReconcileEvent) => void;

/** safeSink wraps a sink so that an exception in a subscriber is swallowed. */
export function safeSink(sink: EventSink | undefined): EventSink {
  return (event) => {
    try {
      sink?.(event);
    } catch {
      // A subscriber's failure is its own; the loop goes on.
    }
  };
}
