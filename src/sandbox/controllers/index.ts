// The simulated kube-controller-manager of a sandbox cluster: workloads roll out and become
// available after a delay (never, when a container image has the tag `fail`), Jobs complete (or
// fail), deleted namespaces are emptied and removed, and the garbage collector follows
// ownerReferences and the foreground/orphan finalizers. Controllers never write from inside a
// store event: they schedule their work, so watchers see events in resourceVersion order.
import type { ApiServer } from '../api/api-server.js';
import type { ResourceType } from '../registry/resource-type.js';
import { formatTime } from '../rest/context.js';
import type { KubeJson, StoreEvent } from '../store/object-store.js';

type Json = Record<string, unknown>;

/** ControllerOptions tune the simulated controllers. */
export interface ControllerOptions {
  /** Run the controllers at all (the conformance replay turns them off, as its server had none). @default true */
  enabled?: boolean;
  /** How long a rollout takes before the workload is available, or a Job completes, in milliseconds. @default 1000 */
  readyDelayMs?: number;
  /**
   * How long a Deployment whose image never gets ready waits before Progressing turns False
   * (ProgressDeadlineExceeded). @default the Deployment's spec.progressDeadlineSeconds
   */
  progressDeadlineMs?: number;
  /**
   * How long a deleted namespace stays Terminating before its contents go; a little, as on a real
   * cluster, so that `kubectl delete -f` can still delete what the file lists after the namespace. @default 100
   */
  namespaceDeleteDelayMs?: number;
  /** The node count DaemonSets schedule onto. @default 1 */
  nodes?: number;
}

/** Controllers is a running set of controllers. */
export interface Controllers {
  stop(): void;
}

const manager = 'kube-controller-manager';

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function get(o: unknown, path: string): unknown {
  let cur = o;
  for (const p of path.split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** failingImage tells whether a pod template has a container whose image tag is `fail`. */
export function failingImage(template: unknown): boolean {
  const spec = get(template, 'spec');
  const containers = [...((get(spec, 'containers') as unknown[]) ?? []), ...((get(spec, 'initContainers') as unknown[]) ?? [])];
  return containers.some((c) => {
    const image = isObj(c) && typeof c.image === 'string' ? c.image.split('@')[0]! : '';
    const slash = image.lastIndexOf('/');
    const colon = image.lastIndexOf(':');
    return colon > slash && image.slice(colon + 1) === 'fail';
  });
}

function condition(type: string, status: string, reason: string, message: string, now: string, previous?: Json[]): Json {
  const old = previous?.find((c) => c.type === type);
  const transition = old && old.status === status ? old.lastTransitionTime : now;
  return { type, status, lastUpdateTime: now, lastTransitionTime: transition, reason, message };
}

function templateHash(template: unknown): string {
  let h = 2166136261;
  const text = JSON.stringify(template ?? {});
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h.toString(36).slice(0, 10).padStart(10, '0').replace(/[^a-z0-9]/g, 'x');
}

/** startControllers runs the controllers of one cluster until stop() is called. */
export function startControllers(api: ApiServer, options: ControllerOptions): Controllers {
  if (options.enabled === false) return { stop() {} };
  const readyDelay = options.readyDelayMs ?? 1000;
  const nodes = options.nodes ?? 1;
  const timers = new Map<string, NodeJS.Timeout>();
  let stopped = false;

  const schedule = (key: string, delay: number, work: () => void) => {
    const existing = timers.get(key);
    if (existing) clearTimeout(existing);
    const timer = setTimeout(() => {
      timers.delete(key);
      if (!stopped) work();
    }, delay);
    timer.unref();
    timers.set(key, timer);
  };

  const now = () => formatTime(new Date());
  const current = (type: ResourceType, o: KubeJson) => api.store.get(`${type.group}/${type.plural}`, o.metadata.namespace ?? '', o.metadata.name);
  const writeStatus = (type: ResourceType, o: KubeJson, status: (object: Json) => Json) => {
    const live = current(type, o);
    if (!live || live.metadata.deletionTimestamp) return;
    api.updateInternal(type, live, (draft) => {
      draft.status = status(draft);
    }, manager, 'status');
  };

  // ---- workloads

  const deploymentType = api.builtin('apps', 'Deployment');
  const statefulSetType = api.builtin('apps', 'StatefulSet');
  const daemonSetType = api.builtin('apps', 'DaemonSet');
  const replicaSetType = api.builtin('apps', 'ReplicaSet');
  const jobType = api.builtin('batch', 'Job');

  const rolloutDeployment = (o: KubeJson) => {
    const key = `deploy/${o.metadata.namespace}/${o.metadata.name}`;
    const failing = failingImage(get(o, 'spec.template'));
    const generation = Number(o.metadata.generation ?? 1);
    // The new ReplicaSet starts: nothing of it is available yet.
    writeStatus(deploymentType, o, (d) => {
      const replicas = Number(get(d, 'spec.replicas') ?? 1);
      const old = (isObj(d.status) ? d.status : {}) as Json;
      const conditions = Array.isArray(old.conditions) ? (old.conditions as Json[]) : [];
      const available = Math.min(Number(old.availableReplicas ?? 0), replicas);
      const t = now();
      return {
        observedGeneration: generation,
        replicas,
        updatedReplicas: 0,
        ...(available ? { readyReplicas: available, availableReplicas: available } : {}),
        ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
        conditions: [
          available >= replicas && replicas > 0
            ? condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', t, conditions)
            : condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', t, conditions),
          condition('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${o.metadata.name}-${templateHash(get(d, 'spec.template'))}" is progressing.`, t, conditions),
        ],
      };
    });
    if (failing) {
      const deadline = options.progressDeadlineMs ?? Number(get(o, 'spec.progressDeadlineSeconds') ?? 600) * 1000;
      schedule(key, Math.min(readyDelay, deadline), () => {
        const live = current(deploymentType, o);
        if (!live || Number(live.metadata.generation) !== generation) return;
        writeStatus(deploymentType, live, (d) => {
          const replicas = Number(get(d, 'spec.replicas') ?? 1);
          const old = (isObj(d.status) ? d.status : {}) as Json;
          return { ...old, observedGeneration: generation, replicas, updatedReplicas: replicas, readyReplicas: undefined, availableReplicas: undefined, unavailableReplicas: replicas };
        });
        schedule(key, Math.max(0, deadline - readyDelay), () => {
          const l = current(deploymentType, o);
          if (!l || Number(l.metadata.generation) !== generation) return;
          writeStatus(deploymentType, l, (d) => {
            const old = (isObj(d.status) ? d.status : {}) as Json;
            const conditions = Array.isArray(old.conditions) ? (old.conditions as Json[]) : [];
            const t = now();
            return {
              ...old,
              conditions: [
                conditions.find((c) => c.type === 'Available') ?? condition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', t),
                condition('Progressing', 'False', 'ProgressDeadlineExceeded', `ReplicaSet "${o.metadata.name}-${templateHash(get(d, 'spec.template'))}" has timed out progressing.`, t, conditions),
              ],
            };
          });
        });
      });
      return;
    }
    schedule(key, readyDelay, () => {
      const live = current(deploymentType, o);
      if (!live || Number(live.metadata.generation) !== generation) return;
      writeStatus(deploymentType, live, (d) => {
        const replicas = Number(get(d, 'spec.replicas') ?? 1);
        const old = (isObj(d.status) ? d.status : {}) as Json;
        const conditions = Array.isArray(old.conditions) ? (old.conditions as Json[]) : [];
        const t = now();
        return {
          observedGeneration: generation,
          replicas,
          updatedReplicas: replicas,
          ...(replicas ? { readyReplicas: replicas, availableReplicas: replicas } : {}),
          conditions: [
            condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', t, conditions),
            condition('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${o.metadata.name}-${templateHash(get(d, 'spec.template'))}" has successfully progressed.`, t, conditions),
          ],
        };
      });
    });
  };

  const rolloutStatefulSet = (o: KubeJson) => {
    const key = `sts/${o.metadata.namespace}/${o.metadata.name}`;
    const generation = Number(o.metadata.generation ?? 1);
    const revision = `${o.metadata.name}-${templateHash(get(o, 'spec.template'))}`;
    writeStatus(statefulSetType, o, (d) => {
      const old = (isObj(d.status) ? d.status : {}) as Json;
      const replicas = Number(get(d, 'spec.replicas') ?? 1);
      return { ...old, observedGeneration: generation, replicas, updatedReplicas: 0, updateRevision: revision, currentRevision: old.currentRevision ?? revision, collisionCount: 0, availableReplicas: Number(old.availableReplicas ?? 0) };
    });
    if (failingImage(get(o, 'spec.template'))) return;
    schedule(key, readyDelay, () => {
      const live = current(statefulSetType, o);
      if (!live || Number(live.metadata.generation) !== generation) return;
      writeStatus(statefulSetType, live, (d) => {
        const replicas = Number(get(d, 'spec.replicas') ?? 1);
        return { observedGeneration: generation, replicas, readyReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas, currentRevision: revision, updateRevision: revision, collisionCount: 0, availableReplicas: replicas };
      });
    });
  };

  const rolloutDaemonSet = (o: KubeJson) => {
    const key = `ds/${o.metadata.namespace}/${o.metadata.name}`;
    const generation = Number(o.metadata.generation ?? 1);
    writeStatus(daemonSetType, o, (d) => {
      const old = (isObj(d.status) ? d.status : {}) as Json;
      return { ...old, currentNumberScheduled: nodes, numberMisscheduled: 0, desiredNumberScheduled: nodes, numberReady: Number(old.numberReady ?? 0), observedGeneration: generation, updatedNumberScheduled: 0, numberUnavailable: nodes - Number(old.numberAvailable ?? 0) || undefined };
    });
    if (failingImage(get(o, 'spec.template'))) return;
    schedule(key, readyDelay, () => {
      const live = current(daemonSetType, o);
      if (!live || Number(live.metadata.generation) !== generation) return;
      writeStatus(daemonSetType, live, () => ({ currentNumberScheduled: nodes, numberMisscheduled: 0, desiredNumberScheduled: nodes, numberReady: nodes, observedGeneration: generation, updatedNumberScheduled: nodes, numberAvailable: nodes }));
    });
  };

  const rolloutReplicaSet = (o: KubeJson) => {
    const key = `rs/${o.metadata.namespace}/${o.metadata.name}`;
    const generation = Number(o.metadata.generation ?? 1);
    if (failingImage(get(o, 'spec.template'))) {
      writeStatus(replicaSetType, o, (d) => ({ replicas: Number(get(d, 'spec.replicas') ?? 1), observedGeneration: generation }));
      return;
    }
    schedule(key, readyDelay, () => {
      const live = current(replicaSetType, o);
      if (!live) return;
      writeStatus(replicaSetType, live, (d) => {
        const replicas = Number(get(d, 'spec.replicas') ?? 1);
        return { replicas, fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: Number(live.metadata.generation ?? 1) };
      });
    });
  };

  const runJob = (o: KubeJson) => {
    const key = `job/${o.metadata.namespace}/${o.metadata.name}`;
    if (get(o, 'spec.suspend') === true) return;
    const started = now();
    writeStatus(jobType, o, (d) => ({ ...(isObj(d.status) ? d.status : {}), startTime: started, active: Number(get(d, 'spec.parallelism') ?? 1), ready: 0 }));
    const failing = failingImage(get(o, 'spec.template'));
    schedule(key, readyDelay, () => {
      const live = current(jobType, o);
      if (!live) return;
      writeStatus(jobType, live, (d) => {
        const t = now();
        const status = { ...(isObj(d.status) ? d.status : {}) } as Json;
        delete status.active;
        if (failing) {
          return {
            ...status,
            ready: 0,
            failed: Number(get(d, 'spec.backoffLimit') ?? 6) + 1,
            conditions: [
              { type: 'FailureTarget', status: 'True', lastProbeTime: t, lastTransitionTime: t, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
              { type: 'Failed', status: 'True', lastProbeTime: t, lastTransitionTime: t, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
            ],
          };
        }
        return {
          ...status,
          ready: 0,
          succeeded: Number(get(d, 'spec.completions') ?? 1),
          completionTime: t,
          conditions: [
            { type: 'SuccessCriteriaMet', status: 'True', lastProbeTime: t, lastTransitionTime: t, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
            { type: 'Complete', status: 'True', lastProbeTime: t, lastTransitionTime: t, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' },
          ],
        };
      });
    });
  };

  const specEvent = (event: StoreEvent): boolean => {
    if (event.type === 'DELETED' || event.object.metadata.deletionTimestamp) return false;
    if (event.type === 'ADDED') return true;
    return event.previous?.metadata.generation !== event.object.metadata.generation;
  };

  // ---- namespaces and garbage collection

  const namespaceType = api.builtin('', 'Namespace');
  const emptyNamespace = (name: string) => {
    const ns = api.store.get('/namespaces', '', name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    for (const key of api.store.resources()) {
      const type = api.typeOfResource(key);
      if (!type || !type.namespaced) continue;
      for (const object of api.store.list(key, name)) {
        if (!object.metadata.deletionTimestamp) api.deleteInternal(type, name, object.metadata.name);
      }
    }
    const left = api.store.resources().some((key) => api.typeOfResource(key)?.namespaced && api.store.count(key, name) > 0);
    if (left) {
      schedule(`ns/${name}`, 100, () => emptyNamespace(name));
      return;
    }
    const live = api.store.get('/namespaces', '', name);
    if (!live) return;
    api.updateInternal(namespaceType, live, (draft) => {
      draft.spec = { ...(isObj(draft.spec) ? draft.spec : {}), finalizers: [] };
    }, 'kube-namespace-controller', 'finalize');
  };

  // Owner uid → the objects that name it in ownerReferences, kept up to date from the store's
  // events, so that a delete finds its dependents without scanning the cluster.
  const dependents = new Map<string, Set<string>>();
  const ownersOf = (o: KubeJson | undefined): string[] =>
    Array.isArray(o?.metadata.ownerReferences) ? (o.metadata.ownerReferences as unknown[]).filter(isObj).map((r) => String(r.uid)) : [];
  const index = (resource: string, before: KubeJson | undefined, after: KubeJson | undefined) => {
    const o = (after ?? before)!;
    const id = `${resource}|${o.metadata.namespace ?? ''}|${o.metadata.name}`;
    for (const uid of ownersOf(before)) {
      const set = dependents.get(uid);
      set?.delete(id);
      if (set?.size === 0) dependents.delete(uid);
    }
    for (const uid of ownersOf(after)) {
      let set = dependents.get(uid);
      if (!set) dependents.set(uid, (set = new Set()));
      set.add(id);
    }
  };
  for (const key of api.store.resources()) for (const o of api.store.list(key)) index(key, undefined, o);

  const dependentsOf = (uid: string): Array<{ type: ResourceType; object: KubeJson }> => {
    const out: Array<{ type: ResourceType; object: KubeJson }> = [];
    for (const id of dependents.get(uid) ?? []) {
      const [resource, namespace, name] = id.split('|') as [string, string, string];
      const type = api.typeOfResource(resource);
      const object = api.store.get(resource, namespace, name);
      if (type && object) out.push({ type, object });
    }
    return out;
  };

  const collect = (uid: string) => {
    for (const { type, object } of dependentsOf(uid)) {
      const refs = (object.metadata.ownerReferences as Json[]).filter((r) => r.uid !== uid);
      // A dependent with other owners still alive stays, without the deleted owner.
      if (refs.length > 0) api.updateInternal(type, object, (d) => void ((d.metadata as Json).ownerReferences = refs), 'kube-controller-manager');
      else if (!object.metadata.deletionTimestamp) api.deleteInternal(type, object.metadata.namespace, object.metadata.name);
    }
  };

  const finalizeOwner = (type: ResourceType, o: KubeJson) => {
    const finalizers = (o.metadata.finalizers as string[] | undefined) ?? [];
    const uid = String(o.metadata.uid);
    if (finalizers.includes('orphan')) {
      for (const dep of dependentsOf(uid)) {
        api.updateInternal(dep.type, dep.object, (d) => {
          const meta = d.metadata as Json;
          meta.ownerReferences = (meta.ownerReferences as Json[]).filter((r) => r.uid !== uid);
          if ((meta.ownerReferences as Json[]).length === 0) delete meta.ownerReferences;
        }, 'kube-controller-manager');
      }
      removeFinalizer(type, o, 'orphan');
      return;
    }
    if (finalizers.includes('foregroundDeletion')) {
      const deps = dependentsOf(uid);
      for (const dep of deps) if (!dep.object.metadata.deletionTimestamp) api.deleteInternal(dep.type, dep.object.metadata.namespace, dep.object.metadata.name, 'Foreground');
      if (dependentsOf(uid).length > 0) {
        schedule(`fg/${uid}`, 50, () => {
          const live = current(type, o);
          if (live) finalizeOwner(type, live);
        });
        return;
      }
      removeFinalizer(type, o, 'foregroundDeletion');
    }
  };

  const removeFinalizer = (type: ResourceType, o: KubeJson, finalizer: string) => {
    const live = current(type, o);
    if (!live) return;
    api.updateInternal(type, live, (d) => {
      const meta = d.metadata as Json;
      meta.finalizers = ((meta.finalizers as string[] | undefined) ?? []).filter((f) => f !== finalizer);
      if ((meta.finalizers as string[]).length === 0) delete meta.finalizers;
    }, 'kube-controller-manager');
  };

  const unsubscribe = api.store.subscribe((event) => {
    const o = event.object;
    index(event.resource, event.previous, event.type === 'DELETED' ? undefined : o);
    const id = `${event.resource}/${event.namespace}/${o.metadata.name}`;
    // Work runs after the event has reached every watcher.
    const later = (work: () => void) => schedule(`evt/${id}`, 0, work);
    switch (event.resource) {
      case 'apps/deployments':
        if (specEvent(event)) later(() => rolloutDeployment(o));
        break;
      case 'apps/statefulsets':
        if (specEvent(event)) later(() => rolloutStatefulSet(o));
        break;
      case 'apps/daemonsets':
        if (specEvent(event)) later(() => rolloutDaemonSet(o));
        break;
      case 'apps/replicasets':
        if (specEvent(event)) later(() => rolloutReplicaSet(o));
        break;
      case 'batch/jobs':
        if (event.type === 'ADDED' || (event.type === 'MODIFIED' && get(event.previous, 'spec.suspend') === true && get(o, 'spec.suspend') !== true)) later(() => runJob(o));
        break;
      case '/namespaces':
        if (event.type === 'MODIFIED' && o.metadata.deletionTimestamp && !event.previous?.metadata.deletionTimestamp) {
          schedule(`ns/${o.metadata.name}`, options.namespaceDeleteDelayMs ?? 100, () => emptyNamespace(o.metadata.name));
        }
        break;
    }
    if (event.type === 'DELETED' && o.metadata.uid) {
      const uid = String(o.metadata.uid);
      schedule(`gc/${uid}`, 0, () => collect(uid));
    } else if (event.type !== 'DELETED' && o.metadata.deletionTimestamp) {
      const finalizers = o.metadata.finalizers;
      if (Array.isArray(finalizers) && (finalizers.includes('orphan') || finalizers.includes('foregroundDeletion'))) {
        const type = api.typeOfResource(event.resource);
        if (type) schedule(`fin/${id}`, 0, () => {
          const live = current(type, o);
          if (live) finalizeOwner(type, live);
        });
      }
    }
  });

  return {
    stop() {
      stopped = true;
      unsubscribe();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
