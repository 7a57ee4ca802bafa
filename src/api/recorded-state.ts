import type { RolloutState } from '../rollout/index.js';
import type { StoredRollout, TargetSnapshot } from '../store/index.js';
import type { ClusterView, FleetView, HubState, Readiness, TargetView } from './ports.js';

// The hub's current state as the API serves it. Targets and rollouts are written through to the
// history store, so a restarted hub serves the last known status and every rollout at once,
// before its first reconcile; the fleet and cluster views are rebuilt from Git at each fetch.

/** HubStateRecorder is where target status and rollout state persist (the history store fits it). */
export interface HubStateRecorder {
  putTargetStatus(snapshot: TargetSnapshot): void;
  deleteTargetStatus(cluster: string, release: string): void;
  listTargetStatus(): TargetSnapshot[];
  putRolloutState(state: RolloutState, updatedAt?: number): void;
  deleteRolloutState(release: string): void;
  listRolloutStates(): StoredRollout[];
}

const key = (cluster: string, release: string) => `${cluster}\u0000${release}`;

/**
 * RecordedHubState implements HubState in memory, written through to a recorder when one is
 * given. The reconcile loop (and tests) feed it with the setters.
 */
export class RecordedHubState implements HubState {
  private fleetView: FleetView = { releases: [], clusters: 0 };
  private clusterViews = new Map<string, ClusterView>();
  private readonly targetViews = new Map<string, TargetView>();
  private readonly rolloutStates = new Map<string, RolloutState>();
  private readiness: Readiness = { ready: false, reason: 'the first fetch of the fleet repository has not finished' };
  private readonly recorder?: HubStateRecorder;

  constructor(recorder?: HubStateRecorder) {
    this.recorder = recorder;
    for (const t of recorder?.listTargetStatus() ?? []) this.targetViews.set(key(t.cluster, t.release), t as TargetView);
    for (const r of recorder?.listRolloutStates() ?? []) this.rolloutStates.set(r.release, r.state);
  }

  fleet(): FleetView {
    return this.fleetView;
  }

  clusters(): ClusterView[] {
    return [...this.clusterViews.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  targets(): TargetView[] {
    return [...this.targetViews.values()].sort((a, b) => a.cluster.localeCompare(b.cluster) || a.release.localeCompare(b.release));
  }

  rollouts(): RolloutState[] {
    return [...this.rolloutStates.values()].sort((a, b) => a.release.localeCompare(b.release));
  }

  ready(): Readiness {
    return this.readiness;
  }

  /** setFleet replaces the fleet view (after a fetch). */
  setFleet(view: FleetView): void {
    this.fleetView = view;
  }

  /** setClusters replaces every cluster view (after a fetch); targets of clusters that left are forgotten. */
  setClusters(clusters: readonly ClusterView[]): void {
    this.clusterViews = new Map(clusters.map((c) => [c.name, c]));
    for (const t of [...this.targetViews.values()]) if (!this.clusterViews.has(t.cluster)) this.removeTarget(t.cluster, t.release);
  }

  /** updateCluster changes one cluster's reachability facts. */
  updateCluster(name: string, change: Partial<Omit<ClusterView, 'name'>>): void {
    const current = this.clusterViews.get(name);
    if (current) this.clusterViews.set(name, { ...current, ...change });
  }

  /** setTarget records a target's status (written through). */
  setTarget(target: TargetView): void {
    this.targetViews.set(key(target.cluster, target.release), target);
    this.recorder?.putTargetStatus(target);
  }

  /** removeTarget forgets a target the fleet no longer has. */
  removeTarget(cluster: string, release: string): void {
    this.targetViews.delete(key(cluster, release));
    this.recorder?.deleteTargetStatus(cluster, release);
  }

  /** setRollout records a release's rollout state (written through; it survives a restart). */
  setRollout(state: RolloutState): void {
    this.rolloutStates.set(state.release, state);
    this.recorder?.putRolloutState(state);
  }

  /** removeRollout forgets a release's rollout. */
  removeRollout(release: string): void {
    this.rolloutStates.delete(release);
    this.recorder?.deleteRolloutState(release);
  }

  /** setReady says whether /readyz answers 200, and why not. */
  setReady(ready: boolean, reason?: string): void {
    this.readiness = ready ? { ready: true } : { ready: false, reason: reason ?? 'not ready' };
  }
}
