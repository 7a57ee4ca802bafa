/** KubeJson is an object as the API stores and serves it: plain JSON with a metadata map. */
export type KubeJson = Record<string, unknown> & { metadata: Record<string, unknown> & { name: string; namespace?: string; resourceVersion?: string; uid?: string } };

/** WatchEventType is a watch event's type as the stream carries it. */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** StoreEvent is one committed change: what watches replay and stream. */
export interface StoreEvent {
  rv: number;
  type: WatchEventType;
  /** `group/plural` of the object. */
  resource: string;
  namespace: string;
  object: KubeJson;
  /** The object before the change (MODIFIED and DELETED). */
  previous?: KubeJson;
}

/** StoreListener receives every committed event of the store, in order. */
export type StoreListener = (event: StoreEvent) => void;

/** ObjectStoreOptions tune an ObjectStore. */
export interface ObjectStoreOptions {
  /** How many events the store keeps for watches to resume from; older ones answer 410 Gone. @default 1000 */
  historySize?: number;
  /** The first resourceVersion handed out, minus one. @default 1 */
  initialResourceVersion?: number;
}

/**
 * ObjectStore is one cluster's etcd: objects by resource and namespace/name, a resourceVersion
 * counter bumped by every write, and a bounded history of events for watches. Stored objects are
 * never mutated; every write stores a new object.
 */
export class ObjectStore {
  private rv: number;
  private readonly tables = new Map<string, Map<string, KubeJson>>();
  private readonly history: StoreEvent[] = [];
  private historyStart = 0;
  private readonly historySize: number;
  /** The resourceVersion of the newest event the history has dropped: watches from before it get 410. */
  private compacted = 0;
  private readonly listeners = new Set<StoreListener>();

  constructor(options: ObjectStoreOptions = {}) {
    this.historySize = Math.max(1, options.historySize ?? 1000);
    this.rv = options.initialResourceVersion ?? 1;
  }

  /** resourceVersion is the store's current revision. */
  get resourceVersion(): number {
    return this.rv;
  }

  /** compactedRevision is the newest revision whose event is no longer kept. */
  get compactedRevision(): number {
    return this.compacted;
  }

  private table(resource: string): Map<string, KubeJson> {
    let table = this.tables.get(resource);
    if (!table) {
      table = new Map();
      this.tables.set(resource, table);
    }
    return table;
  }

  /** get returns one object, or undefined. */
  get(resource: string, namespace: string, name: string): KubeJson | undefined {
    return this.tables.get(resource)?.get(`${namespace}/${name}`);
  }

  /** list returns the objects of a resource (of one namespace, when given) in key order, as etcd does. */
  list(resource: string, namespace?: string): KubeJson[] {
    const table = this.tables.get(resource);
    if (!table) return [];
    const out: Array<[string, KubeJson]> = [];
    const prefix = namespace === undefined ? undefined : `${namespace}/`;
    for (const entry of table) if (prefix === undefined || entry[0].startsWith(prefix)) out.push(entry);
    out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return out.map((e) => e[1]);
  }

  /** count is how many objects a resource has (of one namespace, when given). */
  count(resource: string, namespace?: string): number {
    const table = this.tables.get(resource);
    if (!table) return 0;
    if (namespace === undefined) return table.size;
    let n = 0;
    for (const key of table.keys()) if (key.startsWith(`${namespace}/`)) n++;
    return n;
  }

  /** resources lists every resource the store holds objects of. */
  resources(): string[] {
    return [...this.tables.keys()].filter((r) => (this.tables.get(r)?.size ?? 0) > 0);
  }

  /**
   * put stores a new or changed object under the next resourceVersion and records the event.
   * The object is stamped with its resourceVersion; the caller hands over ownership.
   */
  put(resource: string, object: KubeJson): KubeJson {
    const namespace = object.metadata.namespace ?? '';
    const key = `${namespace}/${object.metadata.name}`;
    const table = this.table(resource);
    const previous = table.get(key);
    this.rv++;
    object.metadata.resourceVersion = String(this.rv);
    table.set(key, object);
    this.record({ rv: this.rv, type: previous ? 'MODIFIED' : 'ADDED', resource, namespace, object, ...(previous ? { previous } : {}) });
    return object;
  }

  /** remove deletes an object; the DELETED event carries it with a new resourceVersion, as etcd's delete revision. */
  remove(resource: string, namespace: string, name: string): KubeJson | undefined {
    const table = this.tables.get(resource);
    const key = `${namespace}/${name}`;
    const previous = table?.get(key);
    if (!table || !previous) return undefined;
    table.delete(key);
    this.rv++;
    const object = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(this.rv) } } as KubeJson;
    this.record({ rv: this.rv, type: 'DELETED', resource, namespace, object, previous });
    return object;
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length - this.historyStart > this.historySize) {
      this.compacted = this.history[this.historyStart]!.rv;
      this.history[this.historyStart] = undefined as unknown as StoreEvent;
      this.historyStart++;
      // Compact the array now and then rather than shifting on every write.
      if (this.historyStart > 1024 && this.historyStart * 2 > this.history.length) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    for (const listener of this.listeners) listener(event);
  }

  /**
   * eventsSince returns the kept events after a resourceVersion, or undefined when some of them
   * were already dropped (the watch must answer 410 Gone).
   */
  eventsSince(rv: number): StoreEvent[] | undefined {
    if (rv < this.compacted) return undefined;
    const out: StoreEvent[] = [];
    for (let i = this.historyStart; i < this.history.length; i++) {
      const event = this.history[i]!;
      if (event.rv > rv) out.push(event);
    }
    return out;
  }

  /** subscribe calls a listener for every event from now on; the returned function unsubscribes. */
  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
