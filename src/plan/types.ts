import type { Issue } from '../core/index.js';
import type { JsonValue, KubeObject } from '../manifest/index.js';

// The planner's inputs are described here structurally, not imported from fleet/ or render/:
// plan is a pure layer-2 area like them, and the CLI fits their values into these shapes.

/** GuardVerdict is one guard's finding against a target: the guard, the offending object, why. */
export interface GuardVerdict {
  guard: string;
  /** The offending object as formatRef prints it (`Kind/namespace/name`), when there is one. */
  object?: string;
  message: string;
}

/** TargetRender is the desired state of one (cluster, release) target at one revision. */
export interface TargetRender {
  cluster: string;
  release: string;
  objects: KubeObject[];
  /** Guard verdicts against this target; the planner reads them from the head revision only. */
  guards?: GuardVerdict[];
}

/** TargetFailure is a target, or a whole cluster, whose desired state could not be rendered. */
export interface TargetFailure {
  cluster: string;
  /** Absent when the failure is not about one release (a cluster record that does not load). */
  release?: string;
  issues: Issue[];
}

/** FleetRender is everything the planner needs from one revision of the fleet repository. */
export interface FleetRender {
  /** How the revision is shown to people: a short commit id, `working tree`, `live`. */
  revision: string;
  targets: TargetRender[];
  failures: TargetFailure[];
}

/** ChangeAction is what happens to an object, or to one of its fields. */
export type ChangeAction = 'add' | 'change' | 'remove';

/** Selection says whether a target is new at head, gone at head, or present at both revisions. */
export type Selection = 'added' | 'removed' | 'unchanged';

/**
 * FieldChange is one changed leaf of an object, named by a JSON pointer. `before` is absent for
 * an added field and `after` for a removed one. A masked field (a Secret's data) carries neither.
 */
export interface FieldChange {
  path: string;
  action: ChangeAction;
  before?: JsonValue;
  after?: JsonValue;
  /** True when the values are a Secret's and were left out on purpose. */
  masked?: boolean;
}

/** ObjectChange is one object added, changed or removed in a target. */
export interface ObjectChange {
  action: ChangeAction;
  /** The object as formatRef prints it: `Kind/namespace/name`. */
  object: string;
  apiVersion: string;
  fields: FieldChange[];
}

/** TargetPlan is what changes in one target between the two revisions, and what blocks it. */
export interface TargetPlan {
  cluster: string;
  release: string;
  selection: Selection;
  changes: ObjectChange[];
  guards: GuardVerdict[];
}

/** PlanFailure is a target that could not be planned because its render failed at one revision. */
export interface PlanFailure {
  cluster: string;
  release?: string;
  revision: 'base' | 'head';
  issues: Issue[];
}

/** PlanSummary counts what the plan found; `clusters` and `objects` only count changes. */
export interface PlanSummary {
  clusters: number;
  objects: number;
  /** Targets that a guard blocks at head. */
  blocked: number;
  /** Targets that could not be planned (a target failing at both revisions counts once). */
  errors: number;
}

/** Plan is the fleet-wide preview between two revisions. */
export interface Plan {
  base: string;
  head: string;
  summary: PlanSummary;
  /** Only targets with a change, a selection change or a guard verdict; sorted by cluster, release. */
  targets: TargetPlan[];
  failures: PlanFailure[];
}
