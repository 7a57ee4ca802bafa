import type { KubeObject } from '../manifest/index.js';
import { assessCustomResourceDefinition } from './custom-resource-definition.js';
import { assessDaemonSet } from './daemon-set.js';
import { assessDeployment } from './deployment.js';
import { assessJob } from './job.js';
import { assessPersistentVolumeClaim } from './persistent-volume-claim.js';
import { assessPod } from './pod.js';
import { assessReadyCondition } from './ready-condition.js';
import { assessService } from './service.js';
import { assessStatefulSet } from './stateful-set.js';
import { findCondition } from './status-fields.js';
import type { HealthAssessment, HealthAssessor } from './types.js';

/**
 * healthAssessors is the dispatch table: one assessor per kind, keyed `Kind.group` as kubectl
 * names resources (`Deployment.apps`; the core group has no suffix). A kind that is not here is
 * judged by its `Ready` condition when it has one, and is Healthy once it exists otherwise.
 */
export const healthAssessors: Readonly<Record<string, HealthAssessor>> = {
  'Deployment.apps': assessDeployment,
  'StatefulSet.apps': assessStatefulSet,
  'DaemonSet.apps': assessDaemonSet,
  'Job.batch': assessJob,
  'CustomResourceDefinition.apiextensions.k8s.io': assessCustomResourceDefinition,
  PersistentVolumeClaim: assessPersistentVolumeClaim,
  Service: assessService,
  Pod: assessPod,
};

/** assessorKey is the dispatch key of an object: `Kind.group`, or `Kind` for the core group. */
export function assessorKey(object: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
  const slash = apiVersion.indexOf('/');
  return slash > 0 ? `${object.kind}.${apiVersion.slice(0, slash)}` : object.kind;
}

/**
 * assessHealth judges one live object (SPEC §6). An object that does not exist (undefined) is
 * Unknown; one being deleted is Progressing whatever its kind; otherwise its kind's assessor
 * decides. An assessor that throws on a status it cannot read yields Unknown with the reason
 * rather than failing the whole wait.
 */
export function assessHealth(object: KubeObject | undefined): HealthAssessment {
  if (object === undefined) return { status: 'Unknown', message: 'not found in the cluster' };
  const deletion = object.metadata?.deletionTimestamp;
  if (typeof deletion === 'string' && deletion !== '') {
    return { status: 'Progressing', message: `being deleted since ${deletion}${finalizerText(object)}` };
  }
  const assessor = healthAssessors[assessorKey(object)] ?? (findCondition(object, 'Ready') ? assessReadyCondition : undefined);
  if (!assessor) return { status: 'Healthy', message: 'exists' };
  try {
    return assessor(object);
  } catch (error) {
    return { status: 'Unknown', message: `its status could not be read: ${(error as Error).message}` };
  }
}

function finalizerText(object: KubeObject): string {
  const finalizers = object.metadata.finalizers;
  return Array.isArray(finalizers) && finalizers.length ? `, waiting for finalizers ${finalizers.join(', ')}` : '';
}
