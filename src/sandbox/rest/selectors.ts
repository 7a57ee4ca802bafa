// Label and field selectors of list and watch requests.
import { matchesLabelSelector, parseLabelSelector, type LabelSelector } from '../../render/patch/index.js';
import { badRequest } from '../api/status.js';
import type { ResourceType } from '../registry/resource-type.js';
import type { KubeJson } from '../store/object-store.js';

/** FieldRequirement is one `field=value` or `field!=value` clause of a field selector. */
export interface FieldRequirement {
  field: string;
  value: string;
  negate: boolean;
}

/** ObjectFilter tells whether an object is selected by a request's label and field selectors. */
export type ObjectFilter = (object: KubeJson) => boolean;

// The field selectors each kind supports besides metadata.name and metadata.namespace, as the
// real server's field label conversion functions list them.
const extraFields: Record<string, string[]> = {
  '/Namespace': ['status.phase'],
  '/Secret': ['type'],
  '/Event': ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  '/Pod': ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  '/Node': ['spec.unschedulable'],
  '/ReplicationController': ['status.replicas'],
  'apps/ReplicaSet': ['status.replicas'],
  'batch/Job': ['status.successful'],
};

function fieldValue(object: KubeJson, field: string): string {
  let cur: unknown = object;
  for (const part of field.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return field === 'spec.unschedulable' ? 'false' : '';
  return String(cur);
}

/** parseFieldSelector reads a field selector and checks that the kind supports each field. */
export function parseFieldSelector(text: string, type: ResourceType): FieldRequirement[] {
  if (text.trim() === '') return [];
  const allowed = ['metadata.name', 'metadata.namespace', ...(extraFields[`${type.group}/${type.kind}`] ?? [])];
  const out: FieldRequirement[] = [];
  for (const clause of text.split(',')) {
    const m = /^\s*([^!=\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(clause);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${clause}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (!allowed.includes(field)) throw badRequest(`"${field}" is not a known field selector: only "metadata.name", "metadata.namespace"`);
    out.push({ field, value, negate: op === '!=' });
  }
  return out;
}

/** selectorFilter builds the filter of a request's labelSelector and fieldSelector parameters. */
export function selectorFilter(query: URLSearchParams, type: ResourceType): ObjectFilter {
  const labelText = query.get('labelSelector') ?? '';
  let labels: LabelSelector = [];
  if (labelText.trim() !== '') {
    const parsed = parseLabelSelector(labelText);
    if (!parsed.ok) throw badRequest(`unable to parse requirement: ${parsed.issues[0]!.message.replace(/^.*?invalid selector/, 'invalid selector')}`);
    labels = parsed.value;
  }
  const fields = parseFieldSelector(query.get('fieldSelector') ?? '', type);
  if (labels.length === 0 && fields.length === 0) return () => true;
  return (object) => {
    if (labels.length && !matchesLabelSelector(labels, object.metadata.labels as Record<string, unknown> | undefined)) return false;
    for (const f of fields) if ((fieldValue(object, f.field) === f.value) === f.negate) return false;
    return true;
  };
}
