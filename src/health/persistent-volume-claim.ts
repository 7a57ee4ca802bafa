import type { KubeObject } from '../manifest/index.js';
import { stringAt } from './status-fields.js';
import type { HealthAssessment } from './types.js';

/**
 * assessPersistentVolumeClaim judges a claim by its phase: Bound is Healthy, Lost (its volume is
 * gone) is Degraded, anything else Progressing. A claim of a WaitForFirstConsumer storage class
 * stays Pending until a pod uses it, so it is Progressing, not Degraded.
 */
export function assessPersistentVolumeClaim(object: KubeObject): HealthAssessment {
  const phase = stringAt(object, 'status.phase');
  if (phase === 'Bound') return { status: 'Healthy', message: `bound to volume ${stringAt(object, 'spec.volumeName') ?? '(unnamed)'}` };
  if (phase === 'Lost') return { status: 'Degraded', message: 'the claim lost its volume (phase Lost)' };
  return { status: 'Progressing', message: `waiting for the claim to be bound (phase ${phase ?? 'not reported yet'})` };
}
