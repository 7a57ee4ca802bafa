import type { KubeObject } from '../manifest/index.js';
import { conditionText, findCondition, numberAt } from './status-fields.js';
import type { HealthAssessment } from './types.js';

/**
 * assessJob judges a Job by its terminal conditions: Failed (or FailureTarget, which precedes it
 * while pods terminate) is Degraded, Complete (or SuccessCriteriaMet, which precedes it) is
 * Healthy. A suspended Job and a running one are Progressing: a wait on them times out unless they
 * finish, which is what a migration Job in a release wants.
 */
export function assessJob(object: KubeObject): HealthAssessment {
  for (const type of ['Failed', 'FailureTarget']) {
    const failed = findCondition(object, type);
    if (failed?.status === 'True') return { status: 'Degraded', message: `the job failed (${conditionText(failed)})` };
  }
  const succeeded = numberAt(object, 'status.succeeded') ?? 0;
  for (const type of ['Complete', 'SuccessCriteriaMet']) {
    const complete = findCondition(object, type);
    if (complete?.status === 'True') return { status: 'Healthy', message: `the job completed (${succeeded} succeeded)` };
  }
  if (findCondition(object, 'Suspended')?.status === 'True') {
    return { status: 'Progressing', message: 'the job is suspended (spec.suspend is true)' };
  }
  const active = numberAt(object, 'status.active') ?? 0;
  const failedPods = numberAt(object, 'status.failed') ?? 0;
  return { status: 'Progressing', message: `the job is running: ${active} active, ${succeeded} succeeded, ${failedPods} failed` };
}
