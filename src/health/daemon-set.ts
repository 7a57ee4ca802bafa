import type { KubeObject } from '../manifest/index.js';
import { numberAt, staleGeneration, staleMessage, stringAt } from './status-fields.js';
import type { HealthAssessment } from './types.js';

/**
 * assessDaemonSet judges a DaemonSet the way `kubectl rollout status` does: current generation
 * observed, then every node that should run the pod runs the new template (updatedNumberScheduled)
 * and has it available (numberAvailable). With OnDelete the controller never replaces pods by itself,
 * so only availability is asked.
 */
export function assessDaemonSet(object: KubeObject): HealthAssessment {
  const stale = staleGeneration(object, true);
  if (stale) return { status: 'Progressing', message: staleMessage(stale) };

  const desired = numberAt(object, 'status.desiredNumberScheduled') ?? 0;
  const updated = numberAt(object, 'status.updatedNumberScheduled') ?? 0;
  const available = numberAt(object, 'status.numberAvailable') ?? 0;
  const onDelete = stringAt(object, 'spec.updateStrategy.type') === 'OnDelete';
  if (!onDelete && updated < desired) return { status: 'Progressing', message: `${updated} of ${desired} scheduled pods run the new template` };
  if (available < desired) return { status: 'Progressing', message: `${available} of ${desired} scheduled pods are available` };
  return { status: 'Healthy', message: `${available} of ${desired} scheduled pods are ${onDelete ? 'available (OnDelete: pods take the new template only when deleted)' : 'up to date and available'}` };
}
