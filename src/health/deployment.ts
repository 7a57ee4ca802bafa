import type { KubeObject } from '../manifest/index.js';
import { conditionText, findCondition, numberAt, staleGeneration, staleMessage, valueAt } from './status-fields.js';
import type { HealthAssessment } from './types.js';

/**
 * assessDeployment judges a Deployment the way `kubectl rollout status` does: the controller must
 * have observed the current generation, every wanted replica must run the new template, no old
 * replica may be left, and every updated replica must be available. A rollout past its
 * progressDeadlineSeconds, or a ReplicaSet the controller cannot create pods for (quota, admission),
 * is Degraded. A paused Deployment never finishes its rollout, so it stays Progressing and a wait
 * on it times out with that reason.
 */
export function assessDeployment(object: KubeObject): HealthAssessment {
  if (valueAt(object, 'spec.paused') === true) {
    return { status: 'Progressing', message: 'the rollout is paused (spec.paused is true); it continues after `kubectl rollout resume`' };
  }
  const stale = staleGeneration(object, true);
  if (stale) return { status: 'Progressing', message: staleMessage(stale) };

  const progressing = findCondition(object, 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    const deadline = numberAt(object, 'spec.progressDeadlineSeconds') ?? 600;
    return { status: 'Degraded', message: `the rollout exceeded its progress deadline of ${deadline}s (${conditionText(progressing)})` };
  }
  const replicaFailure = findCondition(object, 'ReplicaFailure');
  if (replicaFailure?.status === 'True') {
    return { status: 'Degraded', message: `pods cannot be created (${conditionText(replicaFailure)})` };
  }

  // spec.replicas defaults to 1 on the server; an autoscaler may have changed it, which is fine:
  // health compares the status with the live spec, not with Git.
  const wanted = numberAt(object, 'spec.replicas') ?? 1;
  const updated = numberAt(object, 'status.updatedReplicas') ?? 0;
  const total = numberAt(object, 'status.replicas') ?? 0;
  const available = numberAt(object, 'status.availableReplicas') ?? 0;
  if (updated < wanted) return { status: 'Progressing', message: `${updated} of ${wanted} replicas run the new template` };
  if (total > updated) return { status: 'Progressing', message: `${total - updated} old ${total - updated === 1 ? 'replica is' : 'replicas are'} pending termination` };
  if (available < updated) return { status: 'Progressing', message: `${available} of ${updated} updated replicas are available` };
  return { status: 'Healthy', message: `${available} of ${wanted} replicas are up to date and available` };
}
