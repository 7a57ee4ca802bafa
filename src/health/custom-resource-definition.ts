import type { KubeObject } from '../manifest/index.js';
import { conditionText, findCondition } from './status-fields.js';
import type { HealthAssessment } from './types.js';

/**
 * assessCustomResourceDefinition judges a CRD by `Established`: only then does the API server
 * serve its kind, so custom resources of that kind can be applied. Names the server refused
 * (NamesAccepted=False: a plural or kind another CRD already claims) never establish: Degraded.
 */
export function assessCustomResourceDefinition(object: KubeObject): HealthAssessment {
  const namesAccepted = findCondition(object, 'NamesAccepted');
  if (namesAccepted?.status === 'False') return { status: 'Degraded', message: `the names were not accepted (${conditionText(namesAccepted)})` };
  const established = findCondition(object, 'Established');
  if (established?.status === 'True') return { status: 'Healthy', message: 'established: the API server serves its kind' };
  return { status: 'Progressing', message: `waiting for the CRD to be established${established ? ` (${conditionText(established)})` : ''}` };
}
