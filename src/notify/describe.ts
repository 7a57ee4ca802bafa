import type { NotifyEvent } from './types.js';

// One line per event, for people: the Slack text and the webhook's `message`.

function short(revision: unknown): string {
  return typeof revision === 'string' ? revision.slice(0, 12) : '';
}

/** describeEvent says what happened in one line, naming the cluster, the release and the object. */
export function describeEvent(event: NotifyEvent): string {
  const e = event as NotifyEvent & Record<string, unknown>;
  const where = [e.cluster, e.release].filter(Boolean).join('/');
  const at = e.revision ? ` at ${short(e.revision)}` : '';
  switch (e.type) {
    case 'SyncSucceeded':
      return `${e.release} synced on ${e.cluster}${at}${typeof e.health === 'string' ? ` (${e.health})` : ''}`;
    case 'SyncFailed':
      return `${e.release} failed to sync on ${e.cluster}${at}: ${e.message ?? 'no reason given'}`;
    case 'DriftDetected': {
      const fields = Array.isArray(e.fields) && e.fields.length ? ` (${(e.fields as unknown[]).slice(0, 5).join(', ')}${e.fields.length > 5 ? ', …' : ''})` : '';
      const what = e.missing === true ? `${e.object} is missing` : `${e.object} differs from Git${fields}`;
      return `drift on ${where}: ${what}${e.selfHeal === false ? '; selfHeal is off, so it stays until the next sync' : ''}`;
    }
    case 'DriftCorrected':
      return `drift corrected on ${where}: ${e.object} is back at ${e.revision ? short(e.revision) : 'the pinned revision'}`;
    case 'GuardBlocked':
      return `${e.release} blocked on ${e.cluster} by guard ${typeof e.guard === 'string' ? e.guard : '?'}${e.object ? ` (${e.object})` : ''}: ${e.message ?? ''}; nothing was written`;
    case 'ClusterUnreachable':
      return `cluster ${e.cluster} is unreachable: ${e.message ?? 'no answer'}`;
    case 'ClusterReachable':
      return `cluster ${e.cluster} answers again`;
    default:
      return e.message ?? `${e.type}${where ? ` on ${where}` : ''}`;
  }
}
