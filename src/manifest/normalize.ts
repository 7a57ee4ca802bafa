import type { KubeObject } from './types.js';

// Server-side apply merges lists by their keys. A container port is keyed by containerPort and
// protocol, a Service port by port and protocol; `protocol` is optional in manifests because the
// server defaults it to TCP, but API servers before 1.20 (containers) and 1.21 (Services) check the
// keys before defaulting and reject the apply ("associative list with keys has an element that omits
// key field protocol"; kubernetes-sigs/structured-merge-diff#130 and #183). Filling the default in
// first makes the same manifest apply on every server and keeps newer servers' result unchanged.
// Flux (fluxcd/pkg ssa/normalize) does the same for the same reason.

/** NormalizedField records one default that normalizeForApply filled in. */
export interface NormalizedField {
  /** JSON pointer of the field, e.g. `/spec/template/spec/containers/0/ports/0/protocol`. */
  path: string;
  value: string;
  /** Why the field was filled, for people and for `flotilla explain`. */
  reason: string;
}

/** NormalizeResult is the object ready to apply and the defaults that were filled into it. */
export interface NormalizeResult {
  object: KubeObject;
  filled: NormalizedField[];
}

const portReason = 'protocol is a merge key of ports; older API servers reject a server-side apply without it';

/**
 * podSpecPaths says where each built-in workload kind keeps its pod spec, keyed `group Kind`.
 * The older extensions and apps beta versions have the same shape.
 */
const podSpecPaths: ReadonlyMap<string, readonly string[]> = new Map([
  [' Pod', ['spec']],
  [' PodTemplate', ['template', 'spec']],
  [' ReplicationController', ['spec', 'template', 'spec']],
  ['apps Deployment', ['spec', 'template', 'spec']],
  ['apps StatefulSet', ['spec', 'template', 'spec']],
  ['apps DaemonSet', ['spec', 'template', 'spec']],
  ['apps ReplicaSet', ['spec', 'template', 'spec']],
  ['extensions Deployment', ['spec', 'template', 'spec']],
  ['extensions DaemonSet', ['spec', 'template', 'spec']],
  ['extensions ReplicaSet', ['spec', 'template', 'spec']],
  ['batch Job', ['spec', 'template', 'spec']],
  ['batch CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
]);

/** The container lists of a pod spec whose ports are keyed by containerPort and protocol. */
const containerLists = ['initContainers', 'containers', 'ephemeralContainers'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function childAt(root: unknown, keys: readonly string[]): unknown {
  let value = root;
  for (const key of keys) value = isRecord(value) ? value[key] : undefined;
  return value;
}

function pointer(keys: readonly (string | number)[]): string {
  return '/' + keys.map((k) => String(k).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

/** fillProtocols sets protocol TCP on every port map of a list that has none, and records it. */
function fillProtocols(ports: unknown, at: readonly (string | number)[], filled: NormalizedField[]): void {
  if (!Array.isArray(ports)) return;
  ports.forEach((port, i) => {
    if (isRecord(port) && (port.protocol === undefined || port.protocol === null || port.protocol === '')) {
      port.protocol = 'TCP';
      filled.push({ path: pointer([...at, i, 'protocol']), value: 'TCP', reason: portReason });
    }
  });
}

/**
 * normalizeForApply returns a copy of a rendered object with the native defaults filled in that make
 * server-side apply fail on some API servers, and the list of what it filled (SPEC §6):
 *
 * * `protocol: TCP` on every port without one in `containers`, `initContainers` and
 *   `ephemeralContainers` of the pod spec of Pods, PodTemplates, ReplicationControllers, Deployments,
 *   StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs;
 * * `protocol: TCP` on every Service port without one.
 *
 * Custom resources are left alone: their lists are merged by the keys their CRD declares, and the
 * server does not default a protocol there. The input object is not changed.
 */
export function normalizeForApply(object: KubeObject): NormalizeResult {
  const copy = structuredClone(object);
  const filled: NormalizedField[] = [];
  const apiVersion = typeof copy.apiVersion === 'string' ? copy.apiVersion : '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const key = `${group} ${copy.kind}`;

  const podSpecPath = podSpecPaths.get(key);
  if (podSpecPath) {
    const podSpec = childAt(copy, podSpecPath);
    if (isRecord(podSpec)) {
      for (const list of containerLists) {
        const containers = podSpec[list];
        if (!Array.isArray(containers)) continue;
        containers.forEach((container, i) => {
          if (isRecord(container)) fillProtocols(container.ports, [...podSpecPath, list, i, 'ports'], filled);
        });
      }
    }
  }
  if (key === ' Service') fillProtocols(childAt(copy, ['spec', 'ports']), ['spec', 'ports'], filled);
  return { object: copy, filled };
}
