import type { KubeObject } from '../manifest/index.js';
import { conditionText, findCondition, numberAt, staleGeneration, staleMessage } from './status-fields.js';
import type { HealthAssessment } from './types.js';

/**
 * assessReadyCondition judges any object that reports a `Ready` condition (cert-manager, Flux,
 * Crossplane, Cluster API and most operators follow this convention), with the kstatus refinements:
 * a status written for an older generation, or a condition observed for one, says nothing about the
 * current spec (Progressing); `Stalled=True` is Degraded; `Ready=False` while `Reconciling=True` is
 * still Progressing; otherwise `Ready` True / False / Unknown is Healthy / Degraded / Progressing.
 */
export function assessReadyCondition(object: KubeObject): HealthAssessment {
  const stale = staleGeneration(object, false);
  if (stale) return { status: 'Progressing', message: staleMessage(stale) };
  const stalled = findCondition(object, 'Stalled');
  if (stalled?.status === 'True') return { status: 'Degraded', message: `stalled (${conditionText(stalled)})` };

  const ready = findCondition(object, 'Ready');
  if (!ready) return { status: 'Progressing', message: 'waiting for the Ready condition' };
  const generation = numberAt(object, 'metadata.generation');
  if (generation !== undefined && ready.observedGeneration !== undefined && ready.observedGeneration < generation) {
    return { status: 'Progressing', message: `the Ready condition is for generation ${ready.observedGeneration}, not ${generation}` };
  }
  switch (ready.status) {
    case 'True':
      return { status: 'Healthy', message: `ready (${conditionText(ready)})` };
    case 'False': {
      const reconciling = findCondition(object, 'Reconciling');
      if (reconciling?.status === 'True') return { status: 'Progressing', message: `reconciling (${conditionText(reconciling)})` };
      return { status: 'Degraded', message: `not ready (${conditionText(ready)})` };
    }
    default:
      return { status: 'Progressing', message: `readiness not yet known (${conditionText(ready)})` };
  }
}
