import type { ObjectRef } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';

/**
 * HealthStatus is the health of one object or target, in the words SPEC §6 uses everywhere
 * (CLI, API, metrics labels, dashboard): `Healthy`, `Progressing` (not there yet, may get there),
 * `Degraded` (failed, or stuck in a way that needs a person) and `Unknown` (cannot tell).
 */
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Unknown';

/** HealthAssessment is an assessor's verdict on one object: the status and why, for people. */
export interface HealthAssessment {
  status: HealthStatus;
  message: string;
}

/** HealthAssessor judges one kind of object from its live state (spec, metadata and status). */
export type HealthAssessor = (object: KubeObject) => HealthAssessment;

/** ObjectHealth is an assessment together with the object it is about, as waits report it. */
export interface ObjectHealth extends HealthAssessment {
  object: ObjectRef;
}
