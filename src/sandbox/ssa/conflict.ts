// The 409 answer of an apply that hits fields owned by other managers, worded as
// kube-apiserver words it: `Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.a`.
import type { ApplyConflict, KubeStatus } from './types.js';

/** printManager names a manager in conflict messages: `"name"`, plus ` with subresource "status"`, plus ` using v1` for updaters. */
export function printManager(c: Pick<ApplyConflict, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let s = JSON.stringify(c.manager);
  if (c.subresource) s += ` with subresource ${JSON.stringify(c.subresource)}`;
  if (c.operation === 'Update') s += ` using ${c.apiVersion}`;
  return s;
}

/** managerSortKey is the manager identity the server sorts by: its ManagedFieldsEntry JSON without time and fields. */
export function managerSortKey(c: Pick<ApplyConflict, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: Record<string, string> = { manager: c.manager, operation: c.operation };
  if (c.operation === 'Update' && c.apiVersion) id.apiVersion = c.apiVersion;
  if (c.subresource) id.subresource = c.subresource;
  return JSON.stringify(id);
}

/** sortConflicts orders conflicts by manager identity, keeping each manager's fields in field-set order. */
export function sortConflicts(conflicts: ApplyConflict[]): ApplyConflict[] {
  return conflicts
    .map((c, i) => ({ c, i, k: managerSortKey(c) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map((x) => x.c);
}

/** conflictMessage is the Status message for a list of conflicts (managers sorted when there are several). */
export function conflictMessage(conflicts: ApplyConflict[]): string {
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return `Apply failed with 1 conflict: conflict with ${printManager(c)}: ${c.field}`;
  }
  const byManager = new Map<string, { name: string; fields: string[] }>();
  for (const c of conflicts) {
    const key = managerSortKey(c);
    const entry = byManager.get(key) ?? { name: printManager(c), fields: [] };
    entry.fields.push(c.field);
    byManager.set(key, entry);
  }
  const lines: string[] = [];
  for (const key of [...byManager.keys()].sort()) {
    const { name, fields } = byManager.get(key)!;
    lines.push(`conflicts with ${name}:`);
    for (const f of fields) lines.push(`- ${f}`);
  }
  return `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
}

/** conflictStatus is the whole 409 Status body, with one FieldManagerConflict cause per field. */
export function conflictStatus(conflicts: ApplyConflict[]): KubeStatus {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: conflictMessage(conflicts),
    reason: 'Conflict',
    details: { causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c)}`, field: c.field })) },
    code: 409,
  };
}
