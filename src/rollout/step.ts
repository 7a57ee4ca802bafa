import type {
  RolloutCommand,
  RolloutDecision,
  RolloutEvent,
  RolloutObservations,
  RolloutState,
  RolloutStepResult,
  TargetObservation,
  TargetState,
  WaveState,
} from './types.js';

// The rollout of SPEC §7 as a pure state machine. The hub calls step on every reconcile of the
// release with the clock, what it last observed of each target and the operators' commands; it
// carries out the sync and rollback decisions and publishes the events. The state is plain data
// that survives a restart, and step is idempotent: the same observations twice decide nothing new.
//
// Transitions, in the order step applies them:
//
// 1. Commands. `pause` stops new syncs and wave changes (targets already syncing finish);
//    `resume` lifts a pause and, on a halted rollout, sends its failed targets back to Pending to
//    try again; `abort` ends the rollout where it stands (every target keeps its pinned revision);
//    `approve` lets the current wave start when it waits for approval.
// 2. Targets. An Updating target whose observed sync is for the new revision becomes Healthy once
//    synced and healthy (it counts as its cluster's last healthy revision once its wave has
//    completed, soak included), or Failed when its sync failed or was blocked (apply error, guard, health
//    timeout: the sync engine reports all three as a failed or blocked sync). A failure halts the
//    rollout; with failurePolicy rollback the failed cluster goes back to its last healthy revision.
// 3. Waves, unless paused or halted. A pending wave with `approval: manual` waits for approval;
//    otherwise it starts, and up to maxParallel of its targets are told to sync at a time. Once all
//    of them are healthy the soak clock runs; any of them turning Progressing or Unknown restarts it,
//    turning Degraded fails that target. After `soak` the wave is complete and the next one starts in
//    the same step. After the last wave the rollout is Completed.

/** isFinal tells whether a rollout has ended (completed or aborted); step changes nothing after that. */
export function isFinal(state: RolloutState): boolean {
  return state.phase === 'Completed' || state.phase === 'Aborted';
}

class Stepper {
  readonly decisions: RolloutDecision[] = [];

  constructor(
    readonly state: RolloutState,
    readonly observations: RolloutObservations,
  ) {}

  emit(event: RolloutEvent, message: string, extra: { wave?: string; cluster?: string } = {}): void {
    this.decisions.push({ type: 'event', event, message, ...extra });
  }

  get now(): number {
    return this.observations.now;
  }

  observation(cluster: string): TargetObservation | undefined {
    const observed = this.observations.targets[cluster];
    // An observation of an older revision says nothing about this rollout's sync of the target.
    return observed?.revision === this.state.revision ? observed : undefined;
  }

  // ---- 1. commands

  command(command: RolloutCommand): void {
    const state = this.state;
    if (isFinal(state)) {
      this.emit('CommandIgnored', `${command.type} ignored: the rollout of ${state.revision} is ${state.phase.toLowerCase()}`);
      return;
    }
    switch (command.type) {
      case 'pause':
        if (state.paused) return this.emit('CommandIgnored', 'pause ignored: the rollout is already paused');
        state.paused = true;
        return this.emit('RolloutPaused', `rollout of ${state.release} at ${state.revision} paused`);
      case 'resume': {
        if (!state.paused && state.haltReason === undefined) return this.emit('CommandIgnored', 'resume ignored: the rollout is neither paused nor halted');
        state.paused = false;
        const retried: string[] = [];
        if (state.haltReason !== undefined) {
          state.haltReason = undefined;
          for (const target of Object.values(state.targets)) {
            if (target.status === 'Failed' || target.status === 'RolledBack') {
              target.status = 'Pending';
              delete target.failure;
              retried.push(target.cluster);
            }
          }
        }
        return this.emit('RolloutResumed', `rollout of ${state.release} at ${state.revision} resumed${retried.length ? `; retrying ${retried.sort().join(', ')}` : ''}`);
      }
      case 'abort':
        state.phase = 'Aborted';
        return this.emit('RolloutAborted', `rollout of ${state.release} at ${state.revision} aborted at wave ${this.currentWaveName()}; every target keeps its pinned revision`);
      case 'approve': {
        const wave = state.waves[state.currentWave];
        if (!wave || (command.wave !== undefined && command.wave !== wave.name) || !wave.approval || wave.approved || (wave.phase !== 'Pending' && wave.phase !== 'WaitingApproval')) {
          return this.emit('CommandIgnored', `approve ignored: wave ${command.wave ?? wave?.name ?? '(none)'} is not waiting for approval`);
        }
        wave.approved = true;
        return;
      }
    }
  }

  currentWaveName(): string {
    return this.state.waves[this.state.currentWave]?.name ?? '(none)';
  }

  // ---- 2. targets

  fail(target: TargetState, reason: string): void {
    const state = this.state;
    const wave = state.waves[target.wave]?.name;
    target.status = 'Failed';
    target.failure = reason;
    let outcome = '';
    if (state.failurePolicy === 'rollback') {
      if (target.lastHealthy === undefined || target.lastHealthy === state.revision) {
        outcome = '; it cannot be rolled back: no earlier revision was healthy on it';
      } else {
        target.status = 'RolledBack';
        target.pinned = target.lastHealthy;
        this.decisions.push({ type: 'rollback', cluster: target.cluster, revision: target.lastHealthy, reason });
        outcome = `; rolling it back to ${target.lastHealthy}`;
      }
    }
    this.emit('TargetFailed', `${target.cluster} failed at ${state.revision}: ${reason}${outcome}`, { cluster: target.cluster, wave });
    if (state.haltReason === undefined) {
      state.haltReason = `${target.cluster}: ${reason}`;
      this.emit('RolloutHalted', `rollout of ${state.release} at ${state.revision} halted: ${target.cluster} failed: ${reason}`, { cluster: target.cluster, wave });
    }
  }

  observeTargets(): void {
    for (const target of Object.values(this.state.targets).sort((a, b) => (a.cluster < b.cluster ? -1 : 1))) {
      if (target.status !== 'Updating') continue;
      const observed = this.observation(target.cluster);
      if (!observed) continue;
      if (observed.sync === 'Failed' || observed.sync === 'Blocked') {
        this.fail(target, observed.message ?? `sync ${observed.sync.toLowerCase()}`);
      } else if ((observed.sync === 'Synced' || observed.sync === 'Drifted') && observed.health === 'Healthy') {
        // lastHealthy moves only when the wave completes: a target that turns Degraded during the
        // soak must go back to the revision before this rollout, not to this one.
        target.status = 'Healthy';
      }
    }
  }

  // ---- 3. waves

  advanceWaves(): void {
    const state = this.state;
    while (state.currentWave < state.waves.length) {
      const wave = state.waves[state.currentWave]!;
      if (!this.advanceWave(wave)) return;
      wave.phase = 'Complete';
      for (const cluster of wave.clusters) this.state.targets[cluster]!.lastHealthy = state.revision;
      this.emit('WaveCompleted', `wave ${wave.name} complete: ${wave.clusters.length} ${wave.clusters.length === 1 ? 'target' : 'targets'} at ${state.revision}`, { wave: wave.name });
      state.currentWave++;
    }
  }

  /** advanceWave moves one wave as far as it can go now; true when it is complete. */
  advanceWave(wave: WaveState): boolean {
    const targets = wave.clusters.map((c) => this.state.targets[c]!);
    if (targets.length === 0) return true;
    if (wave.phase === 'Pending' || wave.phase === 'WaitingApproval') {
      if (targets.every((t) => t.status === 'Healthy') && wave.soak === 0) return true; // nothing to do, nothing to approve
      if (wave.approval && !wave.approved) {
        if (wave.phase === 'Pending') {
          wave.phase = 'WaitingApproval';
          this.emit('WaitingForApproval', `wave ${wave.name} (${wave.clusters.join(', ')}) waits for approval: flotilla rollout approve ${this.state.release}`, { wave: wave.name });
        }
        return false;
      }
      wave.phase = 'Progressing';
      this.emit('WaveStarted', `wave ${wave.name} started: ${wave.clusters.length} ${wave.clusters.length === 1 ? 'target' : 'targets'}, at most ${wave.maxParallel} at a time`, { wave: wave.name });
    }

    let budget = wave.maxParallel - targets.filter((t) => t.status === 'Updating').length;
    for (const target of targets) {
      if (budget <= 0) break;
      if (target.status !== 'Pending') continue;
      target.status = 'Updating';
      target.pinned = this.state.revision;
      target.updatedAt = this.now;
      this.decisions.push({ type: 'sync', cluster: target.cluster, revision: this.state.revision });
      budget--;
    }

    if (!targets.every((t) => t.status === 'Healthy')) {
      wave.phase = 'Progressing';
      delete wave.healthySince;
      return false;
    }
    // Every target is healthy at the new revision: they must stay so for the soak.
    for (const target of targets) {
      if (this.observation(target.cluster)?.health === 'Degraded') {
        this.fail(target, 'became Degraded after it was healthy');
        return false;
      }
    }
    if (targets.some((t) => (this.observation(t.cluster)?.health ?? 'Healthy') !== 'Healthy')) {
      wave.phase = 'Soaking';
      delete wave.healthySince;
      return false;
    }
    wave.phase = 'Soaking';
    wave.healthySince ??= this.now;
    return this.now - wave.healthySince >= wave.soak;
  }

  finish(): void {
    const state = this.state;
    if (state.phase === 'Aborted') return;
    if (state.currentWave >= state.waves.length) {
      state.phase = 'Completed';
      this.emit('RolloutCompleted', `rollout of ${state.release} at ${state.revision} completed: ${Object.keys(state.targets).length} targets in ${state.waves.length} ${state.waves.length === 1 ? 'wave' : 'waves'}`);
      return;
    }
    if (state.paused) state.phase = 'Paused';
    else if (state.haltReason !== undefined) state.phase = 'Halted';
    else if (state.waves[state.currentWave]!.phase === 'WaitingApproval') state.phase = 'WaitingApproval';
    else state.phase = 'Progressing';
  }
}

/**
 * step moves a rollout forward from what was observed (see the transitions above) and returns the
 * next state with the decisions taken: `sync` a target at the rollout's revision, `rollback` a target
 * to its last healthy revision, and events. The given state is not changed.
 */
export function step(state: RolloutState, observations: RolloutObservations): RolloutStepResult {
  const stepper = new Stepper(structuredClone(state), observations);
  for (const command of observations.commands ?? []) stepper.command(command);
  if (isFinal(stepper.state)) return { state: stepper.state, decisions: stepper.decisions };
  stepper.observeTargets();
  if (!stepper.state.paused && stepper.state.haltReason === undefined) stepper.advanceWaves();
  stepper.finish();
  return { state: stepper.state, decisions: stepper.decisions };
}

/** pinnedRevision is the revision a target must be synced at (and self-healed to), or undefined when it has none yet. */
export function pinnedRevision(state: RolloutState, cluster: string): string | undefined {
  return state.targets[cluster]?.pinned;
}
