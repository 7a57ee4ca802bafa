import type { Issue } from '../core/index.js';
import type { JsonValue } from '../manifest/index.js';
import { leaves, refOf } from './diff.js';
import { maskFieldChanges } from './mask.js';
import { summarize } from './plan.js';
import type { FieldChange, FleetRender, ObjectChange, Plan, PlanFailure, TargetPlan } from './types.js';

/** LiveObjectDrift is one object whose live state differs from head (the shape of reconcile's ObjectDrift). */
export interface LiveObjectDrift {
  /** `Kind/namespace/name`. */
  object: string;
  apiVersion: string;
  /** `missing`: not on the cluster (a sync creates it); `drifted`: fields differ; `extra`: a sync prunes it. */
  state: 'drifted' | 'missing' | 'extra';
  fields: readonly { path: string; desired: JsonValue; live?: JsonValue; masked?: boolean }[];
}

/** LiveTargetDrift is one target compared with its cluster (the shape of reconcile's TargetDiff). */
export interface LiveTargetDrift {
  cluster: string;
  release: string;
  objects: readonly LiveObjectDrift[];
  /** Why the comparison failed or was incomplete (unreachable cluster, unreadable inventory). */
  errors: readonly Issue[];
}

/**
 * buildLivePlan is the planner for `plan --live`: what a sync of head would do to each cluster,
 * from head's desired state and each target's comparison with its live objects. A missing object
 * is added (with every field of its desired state), a drifted one changed from its live values to
 * head's, an extra one (in the inventory, no longer rendered) removed. A target whose cluster
 * could not be read is a failure at `live`; every other target is still planned.
 */
export function buildLivePlan(head: FleetRender, drifts: readonly LiveTargetDrift[], liveLabel = 'live'): Plan {
  const failures: PlanFailure[] = head.failures.map((f) => ({ ...f, revision: 'head' as const }));
  const byKey = new Map(head.targets.map((t) => [`${t.cluster}\u0000${t.release}`, t]));
  const targets: TargetPlan[] = [];
  for (const drift of drifts) {
    const desired = byKey.get(`${drift.cluster}\u0000${drift.release}`);
    if (drift.errors.length > 0) {
      failures.push({ cluster: drift.cluster, release: drift.release, revision: 'base', issues: [...drift.errors] });
      continue;
    }
    const changes: ObjectChange[] = drift.objects.map((o) => {
      if (o.state === 'extra') return { action: 'remove', object: o.object, apiVersion: o.apiVersion, fields: [] };
      if (o.state === 'missing') {
        const object = desired?.objects.find((d) => refOf(d) === o.object);
        const fields: FieldChange[] = object ? leaves(object as unknown as JsonValue, '').map((f) => ({ path: f.path, action: 'add', after: f.value })) : [];
        return { action: 'add', object: o.object, apiVersion: o.apiVersion, fields: object ? maskFieldChanges(object, fields) : fields };
      }
      const fields: FieldChange[] = o.fields.map((f) =>
        f.masked ? { path: f.path, action: f.live === undefined ? 'add' : 'change', masked: true } : f.live === undefined ? { path: f.path, action: 'add', after: f.desired } : { path: f.path, action: 'change', before: f.live, after: f.desired },
      );
      return { action: 'change', object: o.object, apiVersion: o.apiVersion, fields };
    });
    const guards = desired?.guards ?? [];
    if (changes.length === 0 && guards.length === 0) continue;
    targets.push({ cluster: drift.cluster, release: drift.release, selection: 'unchanged', changes, guards });
  }
  // A target blocked at head is reported even when its cluster was not compared.
  for (const t of head.targets) {
    if ((t.guards?.length ?? 0) > 0 && !targets.some((p) => p.cluster === t.cluster && p.release === t.release) && !failures.some((f) => f.cluster === t.cluster && f.release === t.release)) {
      targets.push({ cluster: t.cluster, release: t.release, selection: 'unchanged', changes: [], guards: t.guards! });
    }
  }
  return summarize(liveLabel, head.revision, targets, failures);
}
