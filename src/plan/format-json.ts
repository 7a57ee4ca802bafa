import type { Plan } from './types.js';

/**
 * planToJson is the `plan --output json` document of SPEC §8: `summary` and `targets` as the
 * contract gives them, plus the revisions compared and the targets that failed to render
 * (`errors`, one entry per issue, each with its code, message, file and hint).
 */
export function planToJson(plan: Plan): Record<string, unknown> {
  return {
    summary: { clusters: plan.summary.clusters, objects: plan.summary.objects, blocked: plan.summary.blocked, errors: plan.summary.errors },
    base: plan.base,
    head: plan.head,
    targets: plan.targets.map((t) => ({
      cluster: t.cluster,
      release: t.release,
      selection: t.selection,
      changes: t.changes.map((c) => ({ action: c.action, object: c.object, apiVersion: c.apiVersion, fields: c.fields })),
      guards: t.guards.map((g) => ({ guard: g.guard, object: g.object ?? null, message: g.message })),
    })),
    errors: plan.failures.flatMap((f) =>
      f.issues.map((issue) => ({ cluster: f.cluster, release: f.release ?? null, revision: f.revision, ...issue.toJSON() })),
    ),
  };
}
