import type { LabelSelector } from '../manifest/index.js';

// The rollout's inputs are described here structurally, not imported from fleet/ (a layer-2 area
// like this one): fleet's RolloutSpec and RolloutWave fit these shapes as they are.

/** RolloutWaveSpec is one wave of the fleet file's `rollout.waves` (SPEC §7). */
export interface RolloutWaveSpec {
  name: string;
  selector: LabelSelector;
  /** A count (`2`) or a percentage of the wave's targets (`"25%"`). @default every target of the wave at once */
  maxParallel?: number | string;
  /** Milliseconds every target of the wave must stay healthy before the next wave starts. @default 0 */
  soak?: number;
  approval?: 'manual';
}

/** RolloutPolicy is the fleet file's `rollout:` block: waves and what to do when a target fails. */
export interface RolloutPolicy {
  waves: RolloutWaveSpec[];
  failurePolicy: 'halt' | 'rollback';
}

/** RolloutPhase is where a whole rollout stands. `Completed` and `Aborted` are final. */
export type RolloutPhase = 'Progressing' | 'WaitingApproval' | 'Paused' | 'Halted' | 'Completed' | 'Aborted';

/** WavePhase is where one wave stands. */
export type WavePhase = 'Pending' | 'WaitingApproval' | 'Progressing' | 'Soaking' | 'Complete';

/**
 * TargetRolloutStatus is where one target stands: `Pending` (still at its old revision), `Updating`
 * (told to sync the new revision), `Healthy` (synced and healthy at it), `Failed`, or `RolledBack`
 * (failed, and sent back to its last healthy revision).
 */
export type TargetRolloutStatus = 'Pending' | 'Updating' | 'Healthy' | 'Failed' | 'RolledBack';

/** WaveState is one wave of a running rollout. */
export interface WaveState {
  name: string;
  /** The clusters of this wave, sorted by name: the order their targets are updated in. */
  clusters: string[];
  /** Resolved from maxParallel for this wave's size; at least 1. */
  maxParallel: number;
  soak: number;
  approval: boolean;
  approved: boolean;
  phase: WavePhase;
  /** When every target of the wave was last seen healthy together (the soak clock). */
  healthySince?: number;
}

/** TargetState is one target (this release on one cluster) within a rollout. */
export interface TargetState {
  cluster: string;
  /** Index into RolloutState.waves. */
  wave: number;
  status: TargetRolloutStatus;
  /**
   * The revision this target is pinned to: what sync and drift correction apply (SPEC §7).
   * Undefined for a cluster that never ran this release and whose wave has not reached it.
   */
  pinned?: string;
  /** The last revision that was healthy on this cluster, the one a rollback returns to. */
  lastHealthy?: string;
  /** Why the target failed, when it did. */
  failure?: string;
  /** When the target was last told to sync (ms). */
  updatedAt?: number;
}

/**
 * RolloutState is the whole state of one release's rollout as plain JSON data: the hub stores it
 * and reads it back after a restart (SPEC §7), so it holds no functions, dates or maps.
 */
export interface RolloutState {
  release: string;
  /** The revision being rolled out. */
  revision: string;
  failurePolicy: 'halt' | 'rollback';
  phase: RolloutPhase;
  /** Set by `pause`; independent of phase so that a paused, halted rollout resumes as halted. */
  paused: boolean;
  /** Index of the wave in progress; equals waves.length once every wave is complete. */
  currentWave: number;
  waves: WaveState[];
  /** Keyed by cluster name. */
  targets: Record<string, TargetState>;
  /** Why the rollout halted, when it did. */
  haltReason?: string;
  startedAt: number;
}

/** SyncState is a target's sync state in the words of SPEC §6. */
export type SyncState = 'Synced' | 'OutOfSync' | 'Progressing' | 'Drifted' | 'Blocked' | 'Failed' | 'Unreachable';

/** HealthState is a target's health in the words of SPEC §6. */
export type HealthState = 'Healthy' | 'Progressing' | 'Degraded' | 'Unknown';

/** TargetObservation is what the reconciler last saw of a target. */
export interface TargetObservation {
  /** The revision last applied to the cluster. */
  revision?: string;
  sync: SyncState;
  health: HealthState;
  /** The reason of a Failed or Blocked sync (an apply error, a guard, a health timeout). */
  message?: string;
}

/** RolloutCommand is an operator's command from `flotilla rollout …` or the API. */
export type RolloutCommand = { type: 'approve'; wave?: string } | { type: 'pause' } | { type: 'resume' } | { type: 'abort' };

/** RolloutObservations is everything step reads besides the state: the clock, the targets, the commands. */
export interface RolloutObservations {
  now: number;
  /** Keyed by cluster name; a target without an observation is treated as not yet synced. */
  targets: Readonly<Record<string, TargetObservation>>;
  /** Commands received since the last step, in the order received. */
  commands?: readonly RolloutCommand[];
}

/** RolloutEvent names the events a rollout emits (for notifications, the event stream and metrics). */
export type RolloutEvent =
  | 'WaveStarted'
  | 'WaveCompleted'
  | 'WaitingForApproval'
  | 'RolloutPaused'
  | 'RolloutResumed'
  | 'TargetFailed'
  | 'RolloutHalted'
  | 'RolloutAborted'
  | 'RolloutCompleted'
  | 'CommandIgnored';

/**
 * RolloutDecision is one thing step decided: sync a target at a revision, roll a target back to its
 * last healthy revision, or tell the world that something happened.
 */
export type RolloutDecision =
  | { type: 'sync'; cluster: string; revision: string }
  | { type: 'rollback'; cluster: string; revision: string; reason: string }
  | { type: 'event'; event: RolloutEvent; message: string; wave?: string; cluster?: string };

/** RolloutStepResult is the next state and the decisions that lead to it. */
export interface RolloutStepResult {
  state: RolloutState;
  decisions: RolloutDecision[];
}
