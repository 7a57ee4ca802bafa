// History: the hub's events (filtered by cluster, release and type, new ones arriving live) and,
// for admins, the audit log of every write with who did it and how it ended.
import { useCallback, useEffect, useId, useState } from 'react';
import { ApiError, type AuditRecord, type HistoryEvent } from '../api.js';
import { useSession } from '../app.js';
import { ago, clockTime, shortRevision } from '../format.js';
import { useHub } from '../hub-store.js';
import { href, replaceQuery, useRoute, useTitle } from '../route.js';
import { Badge, Icon, outcomeInfo, type IconName, type Tone } from '../states.js';

const eventLook: Record<string, { tone: Tone; icon: IconName }> = {
  SyncSucceeded: { tone: 'ok', icon: 'check' },
  SyncFailed: { tone: 'bad', icon: 'x' },
  GuardBlocked: { tone: 'blocked', icon: 'ban' },
  DriftDetected: { tone: 'drift', icon: 'delta' },
  DriftCorrected: { tone: 'ok', icon: 'check' },
  DriftResolved: { tone: 'ok', icon: 'check' },
  ClusterUnreachable: { tone: 'muted', icon: 'unplug' },
  ClusterReachable: { tone: 'ok', icon: 'check' },
  RolloutStarted: { tone: 'info', icon: 'spin' },
  WaveStarted: { tone: 'info', icon: 'spin' },
  WaveCompleted: { tone: 'ok', icon: 'check' },
  WaitingForApproval: { tone: 'warn', icon: 'hand' },
  RolloutPaused: { tone: 'warn', icon: 'pause' },
  RolloutResumed: { tone: 'info', icon: 'spin' },
  TargetFailed: { tone: 'bad', icon: 'x' },
  RolloutHalted: { tone: 'bad', icon: 'stop' },
  RolloutAborted: { tone: 'muted', icon: 'x' },
  RolloutCompleted: { tone: 'ok', icon: 'check' },
  RolledBack: { tone: 'blocked', icon: 'undo' },
  CommandIgnored: { tone: 'muted', icon: 'question' },
};

const knownTypes = Object.keys(eventLook);

// Words for an event without a message of its own.
function describe(e: HistoryEvent): string {
  if (e.message) return e.message;
  const fields = Array.isArray(e.fields) ? (e.fields as string[]) : [];
  switch (e.type) {
    case 'DriftDetected':
      return e.missing ? 'the object is missing' : `${fields.length === 1 ? '1 field differs' : `${fields.length} fields differ`}: ${fields.join(', ')}`;
    case 'DriftResolved':
      return 'the object matches Git again';
    case 'DriftCorrected':
      return `corrected${typeof e.latencyMs === 'number' ? ` in ${e.latencyMs} ms` : ''}${fields.length ? `: ${fields.join(', ')}` : ''}`;
    case 'SyncSucceeded': {
      const c = (e.changes ?? {}) as Record<string, number>;
      const parts = Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
      return `revision ${shortRevision(String(e.revision ?? ''))}${parts.length ? `: ${parts.join(', ')}` : ''}`;
    }
    default:
      return e.revision ? `revision ${shortRevision(String(e.revision))}` : '';
  }
}

/** EventList shows events, newest first. */
export function EventList({ events, hideCluster }: { events: HistoryEvent[]; hideCluster?: boolean }) {
  if (events.length === 0) return <p className="muted">No events.</p>;
  const now = Date.now();
  return (
    <ol className="events">
      {events.map((e) => {
        const look = eventLook[e.type] ?? { tone: 'muted' as Tone, icon: 'dot' as IconName };
        return (
          <li key={`${e.id}-${e.time}-${e.type}`} className="event" data-type={e.type}>
            <span className={`badge badge-compact tone-${look.tone}`}>
              <Icon name={look.icon} />
              <span>{e.type}</span>
            </span>
            <span className="event-where">
              {!hideCluster && e.cluster ? <a href={href(['clusters', e.cluster])}>{e.cluster}</a> : null}
              {e.release ? <span className="event-release">{e.release}</span> : null}
              {e.object ? <code className="event-object">{e.object}</code> : null}
            </span>
            <span className="event-message">{describe(e)}</span>
            <time className="event-time muted small" dateTime={new Date(e.time).toISOString()} title={clockTime(e.time)}>
              {ago(e.time, now)}
            </time>
          </li>
        );
      })}
    </ol>
  );
}

function EventsTab() {
  const { client, store } = useSession();
  const hub = useHub(store);
  const route = useRoute();
  const id = useId();
  const cluster = route.query.get('cluster') ?? '';
  const release = route.query.get('release') ?? '';
  const type = route.query.get('type') ?? '';
  const [limit, setLimit] = useState(200);
  const [events, setEvents] = useState<HistoryEvent[] | undefined>();
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cluster) q.set('cluster', cluster);
    if (release) q.set('release', release);
    if (type) q.set('type', type);
    try {
      setEvents((await client.get<{ events: HistoryEvent[] }>(`/api/v1/events?${q}`)).events);
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [client, cluster, release, type, limit]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(
    () =>
      store.onEvent((e) => {
        if ((cluster && e.cluster !== cluster) || (release && e.release !== release) || (type && e.type !== type)) return;
        setEvents((list) => (list && !list.some((x) => x.id === e.id && e.id !== 0) ? [e, ...list] : list));
      }),
    [store, cluster, release, type],
  );

  const set = (change: Record<string, string>) => replaceQuery({ cluster: cluster || undefined, release: release || undefined, type: type || undefined, ...Object.fromEntries(Object.entries(change).map(([k, v]) => [k, v || undefined])) });
  const releases = (hub.fleet?.releases ?? []).map((r) => r.name);
  return (
    <>
      <div className="toolbar" role="search" aria-label="Filter events">
        <div className="field">
          <label htmlFor={`${id}-cluster`}>Cluster</label>
          <select id={`${id}-cluster`} value={cluster} onChange={(e) => set({ cluster: e.target.value })}>
            <option value="">All clusters</option>
            {hub.clusters.map((c) => (
              <option key={c.name}>{c.name}</option>
            ))}
            {cluster && !hub.clusters.some((c) => c.name === cluster) ? <option>{cluster}</option> : null}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-release`}>Release</label>
          <select id={`${id}-release`} value={release} onChange={(e) => set({ release: e.target.value })}>
            <option value="">All releases</option>
            {releases.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-type`}>Type</label>
          <select id={`${id}-type`} value={type} onChange={(e) => set({ type: e.target.value })}>
            <option value="">All types</option>
            {knownTypes.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </div>
      </div>
      {error ? (
        <p className="notice tone-bad" role="alert">
          {error}
        </p>
      ) : null}
      {events ? <EventList events={events} /> : <p className="muted">Loading…</p>}
      {events && events.length >= limit && limit < 10000 ? (
        <button type="button" className="button" onClick={() => setLimit((n) => Math.min(10000, n * 4))}>
          Show older events
        </button>
      ) : null}
    </>
  );
}

function AuditTab() {
  const { client, isAdmin, whoami } = useSession();
  const route = useRoute();
  const id = useId();
  const outcome = route.query.get('outcome') ?? '';
  const [records, setRecords] = useState<AuditRecord[] | undefined>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (!isAdmin) return;
    const q = new URLSearchParams({ limit: '500' });
    if (outcome) q.set('outcome', outcome);
    client.get<{ audit: AuditRecord[] }>(`/api/v1/audit?${q}`).then(
      (a) => {
        setRecords(a.audit);
        setError(undefined);
      },
      (err: Error) => setError(err instanceof ApiError && err.status === 403 ? 'The hub says this token may not read the audit log.' : err.message),
    );
  }, [client, isAdmin, outcome]);
  if (!isAdmin)
    return (
      <p className="notice tone-muted">
        <Icon name="ban" /> The audit log is for admins; you are signed in as {whoami.name} ({whoami.role}).
      </p>
    );
  return (
    <>
      <div className="toolbar" role="search" aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor={`${id}-outcome`}>Outcome</label>
          <select id={`${id}-outcome`} value={outcome} onChange={(e) => replaceQuery({ outcome: e.target.value || undefined })}>
            <option value="">All outcomes</option>
            <option value="succeeded">Succeeded</option>
            <option value="failed">Failed</option>
            <option value="denied">Denied</option>
          </select>
        </div>
      </div>
      {error ? (
        <p className="notice tone-bad" role="alert">
          {error}
        </p>
      ) : null}
      {!records ? (
        <p className="muted">Loading…</p>
      ) : records.length === 0 ? (
        <p className="muted">No writes recorded.</p>
      ) : (
        <div className="table-scroll">
          <table className="table table-stack audit">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Outcome</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <tr key={r.id} data-outcome={r.outcome}>
                  <td className="nowrap" title={clockTime(r.time)} data-label="When">
                    {ago(r.time)}
                  </td>
                  <td data-label="Who">
                    {r.actor} {r.role ? <span className={`role role-${r.role}`}>{r.role}</span> : null}
                  </td>
                  <td data-label="What">
                    <code>
                      {r.method} {r.path}
                    </code>
                    {r.request && Object.keys(r.request).length ? <div className="muted small">{Object.entries(r.request).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}</div> : null}
                  </td>
                  <td data-label="Outcome">
                    <Badge table={outcomeInfo} state={r.outcome} compact /> <span className="muted small">{r.status}</span>
                  </td>
                  {r.message ? (
                    <td className="cell-message" data-label="Why">
                      {r.message}
                    </td>
                  ) : (
                    <td />
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** HistoryPage shows the events or the audit log. */
export function HistoryPage({ tab }: { tab: 'events' | 'audit' }) {
  useTitle(tab === 'audit' ? 'Audit' : 'History');
  return (
    <section className="page">
      <h1 tabIndex={-1}>History</h1>
      <nav className="tabs" aria-label="History">
        <a href={href(['history'])} aria-current={tab === 'events' ? 'page' : undefined}>
          Events
        </a>
        <a href={href(['history', 'audit'])} aria-current={tab === 'audit' ? 'page' : undefined}>
          Audit log
        </a>
      </nav>
      {tab === 'audit' ? <AuditTab /> : <EventsTab />}
    </section>
  );
}
