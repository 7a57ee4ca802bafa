import { diffObjects } from './diff.js';
import type { FleetRender, Plan, PlanFailure, Selection, TargetPlan, TargetRender } from './types.js';

/**
 * buildPlan is the planner: a pure function from the desired state of the fleet at two revisions
 * to the plan between them. Targets are paired by (cluster, release); a target only at head is
 * newly selected (every object added), one only at base is deselected (every object removed).
 * Guard verdicts come from head, the state that would be applied. A target whose render failed
 * at either revision cannot be compared: it is listed as a failure and every other target is
 * still planned.
 */
export function buildPlan(base: FleetRender, head: FleetRender): Plan {
  const failures: PlanFailure[] = [
    ...base.failures.map((f) => ({ ...f, revision: 'base' as const })),
    ...head.failures.map((f) => ({ ...f, revision: 'head' as const })),
  ];
  // A failure without a release (the cluster itself) makes every target of that cluster unknown.
  const failed = (cluster: string, release: string) => failures.some((f) => f.cluster === cluster && (f.release === undefined || f.release === release));

  const baseTargets = new Map<string, TargetRender>();
  for (const t of base.targets) baseTargets.set(keyOf(t), t);
  const headTargets = new Map<string, TargetRender>();
  for (const t of head.targets) headTargets.set(keyOf(t), t);

  const targets: TargetPlan[] = [];
  const consider = (cluster: string, release: string, before: TargetRender | undefined, after: TargetRender | undefined) => {
    if (failed(cluster, release)) return;
    const selection: Selection = before && after ? 'unchanged' : after ? 'added' : 'removed';
    const changes = diffObjects(before?.objects ?? [], after?.objects ?? []);
    const guards = after?.guards ?? [];
    if (changes.length === 0 && guards.length === 0 && selection === 'unchanged') return;
    targets.push({ cluster, release, selection, changes, guards });
  };
  for (const [key, after] of headTargets) consider(after.cluster, after.release, baseTargets.get(key), after);
  for (const [key, before] of baseTargets) if (!headTargets.has(key)) consider(before.cluster, before.release, before, undefined);

  return summarize(base.revision, head.revision, targets, failures);
}

/**
 * summarize puts a plan together from its targets and failures: both sorted by cluster and
 * release, and the summary counted (a target failing at both sides counts once).
 */
export function summarize(base: string, head: string, targets: TargetPlan[], failures: PlanFailure[]): Plan {
  targets.sort((a, b) => compare(a.cluster, b.cluster) || compare(a.release, b.release));
  failures.sort((a, b) => compare(a.cluster, b.cluster) || compare(a.release ?? '', b.release ?? '') || compare(a.revision, b.revision));
  const changedClusters = new Set(targets.filter((t) => t.changes.length > 0).map((t) => t.cluster));
  return {
    base,
    head,
    summary: {
      clusters: changedClusters.size,
      objects: targets.reduce((n, t) => n + t.changes.length, 0),
      blocked: targets.filter((t) => t.guards.length > 0).length,
      errors: new Set(failures.map((f) => keyOf({ cluster: f.cluster, release: f.release ?? '' }))).size,
    },
    targets,
    failures,
  };
}

/** summaryLine is the one-line summary of a plan: `N objects change in M clusters`, then what blocks it. */
export function summaryLine(plan: Plan): string {
  const { objects, clusters, blocked, errors } = plan.summary;
  const parts = [`${objects} ${objects === 1 ? 'object changes' : 'objects change'} in ${clusters} ${clusters === 1 ? 'cluster' : 'clusters'}`];
  if (blocked > 0) parts.push(`${blocked} ${blocked === 1 ? 'target' : 'targets'} blocked by a guard`);
  if (errors > 0) parts.push(`${errors} ${errors === 1 ? 'target' : 'targets'} failed to render`);
  return parts.join('; ');
}

/** PlanOutcome is how a plan ends for a script: the exit-code meaning of SPEC §8. */
export type PlanOutcome = 'error' | 'blocked' | 'changes' | 'none';

/**
 * planOutcome ranks what a plan found: a render failure outranks a guard block (the plan is
 * incomplete), a block outranks plain changes.
 */
export function planOutcome(plan: Plan): PlanOutcome {
  if (plan.summary.errors > 0) return 'error';
  if (plan.summary.blocked > 0) return 'blocked';
  return plan.targets.some((t) => t.changes.length > 0 || t.selection !== 'unchanged') ? 'changes' : 'none';
}

function keyOf(t: { cluster: string; release: string }): string {
  return `${t.cluster}\u0000${t.release}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
