/** ObjectRef names one Kubernetes object. Namespace is absent for cluster-scoped objects. */
export interface ObjectRef {
  apiVersion?: string;
  kind: string;
  namespace?: string;
  name: string;
}

/**
 * formatRef renders an object reference the one way every message, diff and log line uses:
 * `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects.
 */
export function formatRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind}/${ref.namespace}/${ref.name}` : `${ref.kind}/${ref.name}`;
}

/** parseRef reads `Kind/name` or `Kind/namespace/name`; it returns undefined for anything else. */
export function parseRef(text: string): ObjectRef | undefined {
  const parts = text.split('/');
  if (parts.some((p) => p === '')) return undefined;
  if (parts.length === 2) return { kind: parts[0]!, name: parts[1]! };
  if (parts.length === 3) return { kind: parts[0]!, namespace: parts[1]!, name: parts[2]! };
  return undefined;
}
