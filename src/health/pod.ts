import type { KubeObject } from '../manifest/index.js';
import { conditionText, findCondition, stringAt, valueAt } from './status-fields.js';
import type { HealthAssessment } from './types.js';

/** Waiting reasons that do not go away by waiting: the pod needs a fix in its spec or its image. */
const stuckReasons = new Set(['CrashLoopBackOff', 'ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/**
 * assessPod judges a bare Pod by its phase, not only its Ready condition: a pod that ran to
 * completion (Succeeded) is Healthy although it is no longer Ready, Failed is Degraded, and a
 * container stuck in a waiting state that does not fix itself (CrashLoopBackOff, image pull errors,
 * bad config) is Degraded; otherwise it is Progressing until Ready.
 */
export function assessPod(object: KubeObject): HealthAssessment {
  const phase = stringAt(object, 'status.phase');
  if (phase === 'Succeeded') return { status: 'Healthy', message: 'the pod ran to completion' };
  if (phase === 'Failed') {
    const reason = stringAt(object, 'status.reason');
    const message = stringAt(object, 'status.message');
    return { status: 'Degraded', message: `the pod failed${reason || message ? ` (${[reason, message].filter(Boolean).join(': ')})` : ''}` };
  }
  for (const field of ['status.initContainerStatuses', 'status.containerStatuses']) {
    const statuses = valueAt(object, field);
    if (!Array.isArray(statuses)) continue;
    for (const status of statuses) {
      const reason = stringAt(status, 'state.waiting.reason');
      if (reason && stuckReasons.has(reason)) {
        const detail = stringAt(status, 'state.waiting.message');
        return { status: 'Degraded', message: `container ${stringAt(status, 'name') ?? '?'} is waiting: ${reason}${detail ? `: ${detail}` : ''}` };
      }
    }
  }
  const ready = findCondition(object, 'Ready');
  if (phase === 'Running' && ready?.status === 'True') return { status: 'Healthy', message: 'running and ready' };
  return { status: 'Progressing', message: `phase ${phase ?? 'not reported yet'}${ready ? `, not ready (${conditionText(ready)})` : ''}` };
}
