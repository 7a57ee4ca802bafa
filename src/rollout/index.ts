export type {
  RolloutWaveSpec,
  RolloutPolicy,
  RolloutPhase,
  WavePhase,
  TargetRolloutStatus,
  WaveState,
  TargetState,
  RolloutState,
  SyncState,
  HealthState,
  TargetObservation,
  RolloutCommand,
  RolloutObservations,
  RolloutEvent,
  RolloutDecision,
  RolloutStepResult,
} from './types.js';
export { assignWaves, resolveMaxParallel, restWaveName, type WaveAssignment, type WaveTarget } from './waves.js';
export { startRollout, type RolloutTarget, type StartRolloutInput } from './start.js';
export { step, isFinal, pinnedRevision } from './step.js';
