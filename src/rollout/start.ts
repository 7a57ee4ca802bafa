import type { RolloutPolicy, RolloutState, TargetState } from './types.js';
import { assignWaves, resolveMaxParallel, type WaveTarget } from './waves.js';

/** RolloutTarget is one target a rollout moves, with what is known about its cluster now. */
export interface RolloutTarget extends WaveTarget {
  /** The revision the target is pinned to now (undefined for a cluster that never synced this release). */
  pinned?: string;
  /** The last revision that was healthy on this cluster. */
  lastHealthy?: string;
}

/** StartRolloutInput is what a new rollout starts from. */
export interface StartRolloutInput {
  release: string;
  /** The revision to roll out. */
  revision: string;
  /** The fleet's rollout policy; undefined moves every target at once (SPEC §7). */
  policy?: RolloutPolicy;
  targets: readonly RolloutTarget[];
  now: number;
}

/**
 * startRollout creates the state of a rollout of `revision`: targets assigned to waves (see
 * assignWaves), each still pinned to the revision it runs, none updated yet. A target already
 * healthy at the new revision (a rollout restarted for a revision some clusters have) starts as
 * Healthy. The first step starts the first wave.
 */
export function startRollout(input: StartRolloutInput): RolloutState {
  const assignment = assignWaves(input.policy?.waves ?? [], input.targets);
  const byCluster = new Map(input.targets.map((t) => [t.cluster, t]));
  const targets: Record<string, TargetState> = {};
  assignment.forEach((wave, index) => {
    for (const cluster of wave.clusters) {
      const target = byCluster.get(cluster)!;
      const done = target.lastHealthy === input.revision;
      targets[cluster] = {
        cluster,
        wave: index,
        status: done ? 'Healthy' : 'Pending',
        ...(done ? { pinned: input.revision } : target.pinned !== undefined ? { pinned: target.pinned } : {}),
        ...(target.lastHealthy !== undefined ? { lastHealthy: target.lastHealthy } : {}),
      };
    }
  });
  return {
    release: input.release,
    revision: input.revision,
    failurePolicy: input.policy?.failurePolicy ?? 'halt',
    phase: 'Progressing',
    paused: false,
    currentWave: 0,
    waves: assignment.map((wave) => ({
      name: wave.spec.name,
      clusters: wave.clusters,
      maxParallel: resolveMaxParallel(wave.spec.maxParallel, wave.clusters.length),
      soak: wave.spec.soak ?? 0,
      approval: wave.spec.approval === 'manual',
      approved: false,
      phase: 'Pending',
    })),
    targets,
    startedAt: input.now,
  };
}
