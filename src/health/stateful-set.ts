import type { KubeObject } from '../manifest/index.js';
import { numberAt, staleGeneration, staleMessage, stringAt } from './status-fields.js';
import type { HealthAssessment } from './types.js';

/**
 * assessStatefulSet judges a StatefulSet the way `kubectl rollout status` does: current generation
 * observed, the wanted number of pods ready, and then by update strategy. With OnDelete the
 * controller never replaces pods by itself, so readiness is all that can be asked; a partitioned
 * RollingUpdate is done once the pods at or above the partition are updated; otherwise every pod
 * must be at the update revision (currentRevision catches up with updateRevision).
 */
export function assessStatefulSet(object: KubeObject): HealthAssessment {
  const stale = staleGeneration(object, true);
  if (stale) return { status: 'Progressing', message: staleMessage(stale) };

  const wanted = numberAt(object, 'spec.replicas') ?? 1;
  const ready = numberAt(object, 'status.readyReplicas') ?? 0;
  if (ready < wanted) return { status: 'Progressing', message: `${ready} of ${wanted} pods are ready` };

  const strategy = stringAt(object, 'spec.updateStrategy.type') ?? 'RollingUpdate';
  if (strategy === 'OnDelete') {
    return { status: 'Healthy', message: `${ready} of ${wanted} pods are ready (OnDelete: pods take the new template only when deleted)` };
  }
  const updated = numberAt(object, 'status.updatedReplicas') ?? 0;
  const partition = numberAt(object, 'spec.updateStrategy.rollingUpdate.partition') ?? 0;
  if (partition > 0) {
    const toUpdate = Math.max(0, wanted - partition);
    if (updated < toUpdate) {
      return { status: 'Progressing', message: `partitioned rollout: ${updated} of ${toUpdate} pods at or above partition ${partition} are updated` };
    }
    return { status: 'Healthy', message: `partitioned rollout complete: ${updated} pods updated, ${wanted - toUpdate} held back by partition ${partition}` };
  }
  const currentRevision = stringAt(object, 'status.currentRevision');
  const updateRevision = stringAt(object, 'status.updateRevision');
  if (updateRevision !== undefined && currentRevision !== updateRevision) {
    return { status: 'Progressing', message: `rolling update in progress: ${updated} of ${wanted} pods at revision ${updateRevision}` };
  }
  return { status: 'Healthy', message: `${ready} of ${wanted} pods are ready at revision ${updateRevision ?? currentRevision ?? 'unknown'}` };
}
