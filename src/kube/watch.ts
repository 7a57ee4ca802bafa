import type { FlotillaError } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import type { KubeCluster } from './cluster.js';
import { backoffDelay, type RetryPolicy } from './retry.js';

// A kind watcher that stays up: list, then watch from the list's resourceVersion, following
// bookmarks; when the stream ends it watches again from the last version seen, and when that
// version has expired (410 Gone) or the stream failed it lists again after a backoff. Each list is
// handed over whole, so the caller re-checks every object after an interruption and misses nothing.

/** KindWatchHandler receives what a kind watcher sees. */
export interface KindWatchHandler {
  /** The full current list, after the first list and after every re-list. */
  onList(items: KubeObject[]): void;
  /** One change. DELETED carries the last state of the object. */
  onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void;
  /** A list or watch failed; the watcher retries by itself. */
  onError?(error: FlotillaError): void;
}

/** KindWatchOptions select and tune a kind watcher. */
export interface KindWatchOptions {
  apiVersion: string;
  kind: string;
  labelSelector?: string;
  /** The server closes each stream after this long (the watcher opens the next). @default 300 */
  timeoutSeconds?: number;
  /** Backoff between failed attempts. @default 200 ms doubling up to 10 s */
  backoff?: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>;
}

/** KindWatch is a running kind watcher. */
export interface KindWatch {
  stop(): void;
  /** Resolves once the first list has been handed over (or failed). */
  ready: Promise<void>;
}

/** watchKind starts a kind watcher (see above) on one cluster; stop() ends it. */
export function watchKind(cluster: KubeCluster, options: KindWatchOptions, handler: KindWatchHandler): KindWatch {
  const backoff = options.backoff ?? { baseDelayMs: 200, maxDelayMs: 10_000 };
  const abort = new AbortController();
  let stopStream: (() => void) | undefined;
  let failures = 0;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const pause = () => cluster.clock.sleep(backoffDelay(failures++, backoff, cluster.random), abort.signal);

  const loop = async () => {
    let resourceVersion: string | undefined;
    while (!abort.signal.aborted) {
      if (resourceVersion === undefined) {
        try {
          const list = await cluster.list(options.apiVersion, options.kind, { labelSelector: options.labelSelector });
          if (abort.signal.aborted) break;
          resourceVersion = list.resourceVersion;
          handler.onList(list.items);
          markReady();
        } catch (error) {
          handler.onError?.(error as FlotillaError);
          markReady();
          await pause();
          continue;
        }
      }
      const openedAt = cluster.clock.now();
      const ended = await new Promise<{ error?: FlotillaError; expired?: boolean }>((resolve) => {
        let expired = false;
        cluster
          .watchRaw(
            options.apiVersion,
            options.kind,
            { labelSelector: options.labelSelector, resourceVersion, timeoutSeconds: options.timeoutSeconds },
            (type, object) => {
              if (type === 'ERROR') {
                expired = (object as { code?: number }).code === 410;
                return;
              }
              const rv = object.metadata?.resourceVersion;
              if (typeof rv === 'string' && rv) resourceVersion = rv;
              if (type === 'BOOKMARK') return;
              failures = 0;
              handler.onEvent(type, object);
            },
            (error) => resolve({ error, expired }),
          )
          .then(
            (stop) => {
              stopStream = stop;
              if (abort.signal.aborted) stop();
            },
            (error) => resolve({ error: error as FlotillaError }),
          );
        abort.signal.addEventListener('abort', () => resolve({}), { once: true });
      });
      stopStream = undefined;
      if (abort.signal.aborted) break;
      if (ended.expired) resourceVersion = undefined;
      if (ended.error) {
        handler.onError?.(ended.error);
        resourceVersion = undefined;
        await pause();
      } else if (cluster.clock.now() - openedAt < 1000) {
        // A stream the server closes at once must not turn into a busy loop.
        await pause();
      }
    }
  };
  void loop();
  return {
    ready,
    stop() {
      abort.abort();
      stopStream?.();
    },
  };
}
