// Watches: replay from a resourceVersion out of the store's kept history (410 Gone as an ERROR
// event when it is older), then live events; selectors turn MODIFIED into ADDED or DELETED as an
// object enters or leaves the selection, as the watch cache does; bookmarks when asked for.
import { badRequest, expired } from '../api/status.js';
import { groupVersion, type ResourceType } from '../registry/resource-type.js';
import type { KubeJson, StoreEvent } from '../store/object-store.js';
import { resourceKey, type RestContext } from './context.js';
import { selectorFilter } from './selectors.js';
import { outputVersion } from './write.js';

type Json = Record<string, unknown>;

/** WatchEvent is one line of a watch stream. */
export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Json;
}

/** WatchOptions tune watch streams. */
export interface WatchOptions {
  /** How often a watch that allows bookmarks gets one. @default 5000 */
  bookmarkIntervalMs?: number;
  /** How long a watch without timeoutSeconds stays open. @default 1800000 (30 minutes) */
  defaultTimeoutMs?: number;
}

/** WatchStream is a started watch: events go to its sink until it ends or is stopped. */
export interface WatchStream {
  /** start begins sending events; end is called once when the server closes the stream. */
  start(sink: (event: WatchEvent) => void, end: () => void): void;
  /** stop ends the stream from the client side (connection closed). */
  stop(): void;
}

/** openWatch prepares a watch of a collection (or one object, by fieldSelector metadata.name). */
export function openWatch(ctx: RestContext, type: ResourceType, namespace: string | undefined, query: URLSearchParams, transform: (o: KubeJson) => Json, options: WatchOptions = {}): WatchStream {
  const filter = selectorFilter(query, type);
  const key = resourceKey(type);
  const ns = type.namespaced ? namespace : undefined;
  const rvText = query.get('resourceVersion') ?? '';
  const allowBookmarks = ['1', 'true'].includes(query.get('allowWatchBookmarks') ?? '');
  // Watch-list (client-go's WatchListClient, kubectl 1.35): the current state as ADDED events, then
  // a bookmark annotated k8s.io/initial-events-end, then changes.
  const sendInitialEvents = ['1', 'true'].includes(query.get('sendInitialEvents') ?? '');
  if (sendInitialEvents && (query.get('resourceVersionMatch') !== 'NotOlderThan' || !allowBookmarks)) {
    throw badRequest('sendInitialEvents requires resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true');
  }
  const timeoutText = query.get('timeoutSeconds');
  if (timeoutText !== null && !/^\d+$/.test(timeoutText)) throw badRequest(`timeoutSeconds: Invalid value: "${timeoutText}"`);
  if (rvText !== '' && !/^\d+$/.test(rvText)) throw badRequest(`resourceVersion: Invalid value: "${rvText}": must be a non-negative integer`);
  const timeoutMs = timeoutText !== null ? Number(timeoutText) * 1000 : options.defaultTimeoutMs ?? 30 * 60 * 1000;
  const bookmarkMs = options.bookmarkIntervalMs ?? 5000;
  let unsubscribe: (() => void) | undefined;
  const timers: NodeJS.Timeout[] = [];
  let ended = false;
  let endFn: (() => void) | undefined;

  const finish = () => {
    if (ended) return;
    ended = true;
    unsubscribe?.();
    for (const t of timers) clearTimeout(t);
    endFn?.();
  };

  const toEvent = (event: StoreEvent): WatchEvent | undefined => {
    if (event.resource !== key || (ns !== undefined && event.namespace !== ns)) return undefined;
    const was = event.previous !== undefined && filter(event.previous);
    const is = event.type !== 'DELETED' && filter(event.object);
    let type: WatchEvent['type'];
    if (event.type === 'ADDED') {
      if (!is) return undefined;
      type = 'ADDED';
    } else if (event.type === 'DELETED') {
      if (!was) return undefined;
      type = 'DELETED';
    } else if (was && is) type = 'MODIFIED';
    else if (is) type = 'ADDED';
    else if (was) type = 'DELETED';
    else return undefined;
    return { type, object: transform(outputVersion(typeOf, event.object)) };
  };
  const typeOf = type;

  const bookmark = (initialEventsEnd = false): WatchEvent => {
    const metadata: Json = { resourceVersion: String(ctx.store.resourceVersion) };
    if (!type.custom) metadata.creationTimestamp = null;
    if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    return { type: 'BOOKMARK', object: { kind: type.kind, apiVersion: groupVersion(type), metadata } };
  };

  return {
    start(sink, end) {
      endFn = end;
      let replay: WatchEvent[] = [];
      if (sendInitialEvents) {
        for (const object of ctx.store.list(key, ns)) if (filter(object)) replay.push({ type: 'ADDED', object: transform(outputVersion(type, object)) });
        replay.push(bookmark(true));
      } else if (rvText === '' || rvText === '0') {
        // No resourceVersion: the current state first, as synthetic ADDED events.
        for (const object of ctx.store.list(key, ns)) if (filter(object)) replay.push({ type: 'ADDED', object: transform(outputVersion(type, object)) });
      } else {
        const events = ctx.store.eventsSince(Number(rvText));
        if (events === undefined) {
          const status = expired(`too old resource version: ${rvText} (${ctx.store.compactedRevision + 1})`).toStatus();
          sink({ type: 'ERROR', object: status as unknown as Json });
          finish();
          return;
        }
        replay = events.map(toEvent).filter((e): e is WatchEvent => e !== undefined);
      }
      for (const e of replay) sink(e);
      unsubscribe = ctx.store.subscribe((event) => {
        const e = toEvent(event);
        if (e && !ended) sink(e);
      });
      if (allowBookmarks && bookmarkMs > 0) timers.push(setInterval(() => sink(bookmark()), bookmarkMs));
      timers.push(
        setTimeout(() => {
          if (allowBookmarks) sink(bookmark());
          finish();
        }, timeoutMs),
      );
    },
    stop() {
      endFn = undefined;
      finish();
    },
  };
}
