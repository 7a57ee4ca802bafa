import type { Fleet, TargetRenderResult } from '../fleet/index.js';
import { buildPlan, evaluateGuards, planToJson, type FleetRender } from '../plan/index.js';
import { prepareDesired, type TargetSyncResult } from '../reconcile/index.js';

// The dashboard's plan page (GET /api/v1/plan): the newest fetched revision against what each
// cluster runs, with the same planner and JSON as `flotilla plan --output json`. What runs is what
// the loop last applied to each target (its pinned revision during a rollout), so the plan shows
// what promoting every target to the newest revision would change. Both sides are compared as
// they are applied (release label, filled-in defaults), so only real differences show.

/** RunningPlanInput is what the hub knows: the newest render and the loop's last sync results. */
export interface RunningPlanInput {
  fleet: Fleet;
  /** The newest fetched commit. */
  commit: string;
  rendered: Iterable<TargetRenderResult>;
  running: readonly TargetSyncResult[];
}

/**
 * planAgainstRunning answers the plan of the newest revision against what runs, as planToJson
 * prints it. Pull-mode clusters are left out (their agents apply; the hub holds no objects of
 * theirs); a target that never applied anything counts as newly added.
 */
export function planAgainstRunning(input: RunningPlanInput): Record<string, unknown> {
  const running = new Map(input.running.map((r) => [`${r.cluster}/${r.release}`, r]));
  const base: FleetRender = { revision: 'running', targets: [], failures: [] };
  const head: FleetRender = { revision: input.commit, targets: [], failures: [] };
  const seen = new Set<string>();
  for (const { target, result } of input.rendered) {
    if (target.cluster.connection.mode === 'pull') continue;
    const cluster = target.cluster.name;
    const release = target.release.name;
    const key = `${cluster}/${release}`;
    seen.add(key);
    const now = running.get(key);
    if (now && now.objects.length > 0) base.targets.push({ cluster, release, objects: now.objects });
    if (!result.ok) {
      head.failures.push({ cluster, release, issues: result.issues });
      continue;
    }
    head.targets.push({ cluster, release, objects: prepareDesired(result.value.objects.map((o) => o.object), release).objects, guards: evaluateGuards(input.fleet, result.value) });
  }
  // What runs but the newest revision no longer targets: a plan removes it.
  for (const [key, r] of running) if (!seen.has(key) && r.objects.length > 0) base.targets.push({ cluster: r.cluster, release: r.release, objects: r.objects });
  return planToJson(buildPlan(base, head));
}
