// The fleet as the dashboard holds it: one load of the read routes, then the live event stream.
// An event says what happened, not the new status, so each burst of events leads to one refetch
// (trailing, at most every maxWaitMs); an event that carries the target's new status is applied at
// once. A slow poll backs the stream up for changes that come without an event.
import { useSyncExternalStore } from 'react';
import { streamEvents, type ApiClient, type ClusterSummary, type FleetView, type HistoryEvent, type RolloutState, type StreamStatus, type TargetView } from './api.js';

/** HubSnapshot is what the pages render from. */
export interface HubSnapshot {
  fleet?: FleetView;
  clusters: ClusterSummary[];
  targets: TargetView[];
  rollouts: RolloutState[];
  loaded: boolean;
  /** Why the last load failed, when it did. */
  error?: string;
  stream: StreamStatus;
  /** Events received live, newest first (at most 300). */
  events: HistoryEvent[];
  /** When the last refresh finished (ms, our clock). */
  refreshedAt?: number;
}

/** HubStoreOptions tune the refresh. */
export interface HubStoreOptions {
  /** Quiet time after an event before the refetch. @default 200 */
  debounceMs?: number;
  /** Longest wait for a refetch during a steady stream of events. @default 1000 */
  maxWaitMs?: number;
  /** Poll interval that backs up the stream. @default 15000 */
  pollMs?: number;
}

const isTargetView = (value: unknown): value is TargetView =>
  typeof value === 'object' && value !== null && typeof (value as TargetView).cluster === 'string' && typeof (value as TargetView).release === 'string' && typeof (value as TargetView).sync === 'string';

/** HubStore keeps the snapshot current and tells React when it changes. */
export class HubStore {
  private snapshot: HubSnapshot = { clusters: [], targets: [], rollouts: [], loaded: false, stream: 'connecting', events: [] };
  private readonly listeners = new Set<() => void>();
  private readonly client: ApiClient;
  private readonly token: string;
  private readonly onUnauthorized: () => void;
  private readonly options: Required<HubStoreOptions>;
  private stopStream?: () => void;
  private poll?: ReturnType<typeof setInterval>;
  private debounce?: ReturnType<typeof setTimeout>;
  private firstPending?: number;
  private inFlight = false;
  private again = false;
  private readonly eventListeners = new Set<(event: HistoryEvent) => void>();

  constructor(client: ApiClient, token: string, onUnauthorized: () => void, options: HubStoreOptions = {}) {
    this.client = client;
    this.token = token;
    this.onUnauthorized = onUnauthorized;
    this.options = { debounceMs: 200, maxWaitMs: 1000, pollMs: 15000, ...options };
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): HubSnapshot => this.snapshot;

  /** onEvent lets a page follow the live events (a cluster page refetches its detail). */
  onEvent(listener: (event: HistoryEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  start(): void {
    void this.refresh();
    this.stopStream = streamEvents(this.token, (event) => this.receive(event), (stream) => this.set({ stream }), this.onUnauthorized);
    this.poll = setInterval(() => void this.refresh(), this.options.pollMs);
  }

  stop(): void {
    this.stopStream?.();
    clearInterval(this.poll);
    clearTimeout(this.debounce);
  }

  /** replaceRollout shows the answer of a rollout command before the next refresh. */
  replaceRollout(rollout: RolloutState): void {
    const others = this.snapshot.rollouts.filter((r) => r.release !== rollout.release);
    this.set({ rollouts: [...others, rollout].sort((a, b) => a.release.localeCompare(b.release)) });
  }

  /** refresh reads the fleet again now (one refresh at a time; a request during one queues another). */
  async refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    try {
      const [fleet, clusters, targets, rollouts] = await Promise.all([
        this.client.get<FleetView>('/api/v1/fleet'),
        this.client.get<{ clusters: ClusterSummary[] }>('/api/v1/clusters'),
        this.client.get<{ targets: TargetView[] }>('/api/v1/targets'),
        this.client.get<{ rollouts: RolloutState[] }>('/api/v1/rollouts'),
      ]);
      this.set({ fleet, clusters: clusters.clusters, targets: targets.targets, rollouts: rollouts.rollouts, loaded: true, error: undefined, refreshedAt: Date.now() });
    } catch (error) {
      this.set({ error: (error as Error).message });
    } finally {
      this.inFlight = false;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    }
  }

  private receive(event: HistoryEvent): void {
    const patch: Partial<HubSnapshot> = { events: [event, ...this.snapshot.events].slice(0, 300) };
    const target = (event as { target?: unknown }).target;
    if (isTargetView(target)) {
      patch.targets = this.snapshot.targets.map((t) => (t.cluster === target.cluster && t.release === target.release ? target : t));
    }
    this.set(patch);
    for (const listener of this.eventListeners) listener(event);
    this.scheduleRefresh();
  }

  private scheduleRefresh(): void {
    const now = Date.now();
    this.firstPending ??= now;
    clearTimeout(this.debounce);
    const wait = Math.max(0, Math.min(this.options.debounceMs, this.firstPending + this.options.maxWaitMs - now));
    this.debounce = setTimeout(() => {
      this.firstPending = undefined;
      void this.refresh();
    }, wait);
  }

  private set(patch: Partial<HubSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of this.listeners) listener();
  }
}

/** useHub renders from the store's snapshot. */
export function useHub(store: HubStore): HubSnapshot {
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
