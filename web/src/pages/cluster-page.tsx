// One cluster: labels, identity and fingerprint, connection, each release's status, its objects'
// health, drift field by field (Secret values come masked from the hub) and the recent events.
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ApiError, type ClusterDetail, type DriftFieldView, type FingerprintView, type HistoryEvent, type ObjectDriftView, type TargetView } from '../api.js';
import { useSession } from '../app.js';
import { ago, clockTime, jsonValue, shortRevision } from '../format.js';
import { useHub } from '../hub-store.js';
import { href, useRoute, useTitle } from '../route.js';
import { Badge, healthInfo, Icon, syncInfo } from '../states.js';
import { EventList } from './history-page.js';

const driftTypes = new Set(['DriftDetected', 'DriftCorrected', 'DriftResolved', 'SyncSucceeded']);

/**
 * driftFromEvents rebuilds the open drift of a cluster from its events when the hub does not list
 * it: the newest DriftDetected of each object, unless a correction or a sync of its release came
 * after it. Only field paths are known this way, not values.
 */
function driftFromEvents(events: HistoryEvent[], targets: TargetView[]): ObjectDriftView[] {
  const drifting = new Set(targets.filter((t) => t.sync === 'Drifted' || t.drift > 0).map((t) => t.release));
  const closed = new Set<string>();
  const open = new Map<string, ObjectDriftView>();
  for (const e of [...events].sort((a, b) => b.id - a.id || b.time - a.time)) {
    if (!e.release || !driftTypes.has(e.type)) continue;
    if (e.type === 'SyncSucceeded') {
      closed.add(`${e.release}\u0000*`);
      continue;
    }
    const key = `${e.release}\u0000${e.object}`;
    if (closed.has(key) || closed.has(`${e.release}\u0000*`) || open.has(key)) continue;
    if (e.type === 'DriftCorrected' || e.type === 'DriftResolved') {
      closed.add(key);
      continue;
    }
    if (!drifting.has(e.release)) continue;
    open.set(key, { release: e.release, object: String(e.object ?? '?'), missing: e.missing === true, since: e.time, fields: Array.isArray(e.fields) ? (e.fields as string[]) : [] });
  }
  return [...open.values()];
}

function fingerprintOf(detail: ClusterDetail): FingerprintView | undefined {
  if (detail.fingerprint) return detail.fingerprint;
  if (detail.targets.some((t) => t.sync === 'Blocked' && /fingerprint/i.test(t.message))) return { status: 'mismatch' };
  return undefined;
}

const fingerprintWords: Record<FingerprintView['status'], { tone: string; icon: 'check' | 'ban' | 'question' | 'dot'; text: string }> = {
  match: { tone: 'ok', icon: 'check', text: 'Matches the live cluster' },
  mismatch: { tone: 'blocked', icon: 'ban', text: 'Does not match the live cluster: nothing is written to it' },
  unset: { tone: 'muted', icon: 'dot', text: 'Not recorded (run flotilla bootstrap to record it)' },
  unknown: { tone: 'muted', icon: 'question', text: 'Not checked yet' },
};

function FieldValue({ field, side }: { field: DriftFieldView; side: 'desired' | 'live' }) {
  if (field.masked)
    return (
      <span className="masked" title="A Secret's value: the hub never sends it">
        <Icon name="ban" /> hidden
      </span>
    );
  const value = side === 'desired' ? field.desired : field.live;
  if (side === 'live' && !('live' in field)) return <em className="muted">absent</em>;
  return <code className="value">{jsonValue(value)}</code>;
}

function DriftTable({ drift }: { drift: ObjectDriftView }) {
  const fields = drift.fields.map((f) => (typeof f === 'string' ? { path: f } : f));
  const withValues = fields.some((f) => 'desired' in f || 'live' in f || f.masked);
  if (drift.missing) return <p className="muted">The object is missing from the cluster.</p>;
  if (fields.length === 0) return <p className="muted">No field details.</p>;
  if (!withValues)
    return (
      <ul className="field-list">
        {fields.map((f) => (
          <li key={f.path}>
            <code>{f.path}</code>
          </li>
        ))}
      </ul>
    );
  return (
    <div className="table-scroll">
      <table className="table diff-table">
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Desired (Git)</th>
            <th scope="col">Live (cluster)</th>
          </tr>
        </thead>
        <tbody>
          {fields.map((f) => (
            <tr key={f.path}>
              <th scope="row">
                <code>{f.path}</code>
              </th>
              <td className="diff-desired">
                <FieldValue field={f} side="desired" />
              </td>
              <td className="diff-live">
                <FieldValue field={f} side="live" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** ClusterPage shows one cluster. */
export function ClusterPage({ name }: { name: string }) {
  useTitle(name);
  const { client, store, canOperate } = useSession();
  const hub = useHub(store);
  const route = useRoute();
  const focusRelease = route.query.get('release') ?? undefined;
  const id = useId();
  const [detail, setDetail] = useState<ClusterDetail | undefined>();
  const [events, setEvents] = useState<HistoryEvent[]>([]);
  const [error, setError] = useState<string | undefined>();
  const [notice, setNotice] = useState<{ tone: string; text: string } | undefined>();

  const load = useCallback(async () => {
    try {
      const [d, e] = await Promise.all([
        client.get<ClusterDetail>(`/api/v1/clusters/${encodeURIComponent(name)}`),
        client.get<{ events: HistoryEvent[] }>(`/api/v1/events?cluster=${encodeURIComponent(name)}&limit=100`),
      ]);
      setDetail(d);
      setEvents(e.events);
      setError(undefined);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 404 ? `The fleet has no cluster ${name}.` : (err as Error).message);
    }
  }, [client, name]);

  useEffect(() => {
    setDetail(undefined);
    void load();
  }, [load]);

  // Events for this cluster lead to a reload (debounced); the fleet refresh covers the rest.
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => {
    const off = store.onEvent((e) => {
      if (e.cluster !== name) return;
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void load(), 250);
    });
    return () => {
      off();
      clearTimeout(timer.current);
    };
  }, [store, name, load]);
  // The fleet refresh (poll or events without a cluster) brings new target status: follow it.
  const fleetTargets = useMemo(() => hub.targets.filter((t) => t.cluster === name), [hub.targets, name]);
  const targets = detail ? (fleetTargets.length && hub.refreshedAt ? fleetTargets : detail.targets) : [];

  const drift = useMemo(() => (detail?.drift ? detail.drift : detail ? driftFromEvents(events, targets) : []), [detail, events, targets]);

  useEffect(() => {
    if (!detail || !focusRelease) return;
    document.getElementById(`release-${focusRelease}`)?.scrollIntoView({ block: 'center' });
  }, [detail, focusRelease]);

  const sync = async () => {
    try {
      const accepted = await client.post<{ targets: unknown[] }>('/api/v1/sync', { cluster: name });
      setNotice({ tone: 'ok', text: `Sync queued for ${accepted.targets.length} target${accepted.targets.length === 1 ? '' : 's'}.` });
    } catch (err) {
      setNotice({ tone: 'bad', text: `Sync refused: ${(err as Error).message}` });
    }
  };

  // The breadcrumbs and the heading sit at the same place in every state, so React keeps the
  // heading's element when the detail arrives and the focus the frame put on it stays.
  const crumbs = (
    <nav aria-label="Breadcrumb" className="crumbs">
      <a href={href([])}>Fleet</a> <span aria-hidden="true">/</span> <span aria-current="page">{name}</span>
    </nav>
  );
  const title = (
    <h1 id={`${id}-title`} tabIndex={-1}>
      {name}
    </h1>
  );
  if (!detail)
    return (
      <section className="page" aria-labelledby={`${id}-title`}>
        {crumbs}
        <div className="page-head">
          <div>{title}</div>
        </div>
        {error ? (
          <>
            <p className="notice tone-bad" role="alert">
              {error}
            </p>
            <p>
              <a href={href([])}>Back to the fleet</a>
            </p>
          </>
        ) : (
          <p className="muted" role="status">
            Loading…
          </p>
        )}
      </section>
    );

  const cluster = hub.clusters.find((c) => c.name === name) ?? detail.cluster;
  const identity = detail.identity;
  const fingerprint = fingerprintOf(detail);
  const reach = cluster.reachable === undefined ? { tone: 'muted', icon: 'question' as const, text: 'Not contacted yet' } : cluster.reachable ? { tone: 'ok', icon: 'check' as const, text: 'Reachable' } : { tone: 'muted', icon: 'unplug' as const, text: 'Unreachable' };
  const objectsByRelease = new Map<string, NonNullable<ClusterDetail['objects']>>();
  for (const o of detail.objects ?? []) objectsByRelease.set(o.release, [...(objectsByRelease.get(o.release) ?? []), o]);

  return (
    <section className="page" aria-labelledby={`${id}-title`}>
      {crumbs}
      <div className="page-head">
        <div>
          {title}
          <p className="page-sub">
            <span className={`badge tone-${reach.tone}`}>
              <Icon name={reach.icon} />
              <span>
                <span className="visually-hidden">Connection: </span>
                {reach.text}
              </span>
            </span>{' '}
            <span className="muted">
              {cluster.mode === 'pull' ? 'pull mode: an agent applies, the hub observes' : 'push mode: the hub applies'} · last seen {ago(cluster.lastSeen)}
            </span>
          </p>
          {cluster.message ? <p className="muted">{cluster.message}</p> : null}
        </div>
        {canOperate ? (
          <button type="button" className="button" onClick={sync}>
            <Icon name="spin" /> Sync this cluster
          </button>
        ) : null}
      </div>
      {notice ? (
        <p className={`notice tone-${notice.tone}`} role="status">
          {notice.text}
        </p>
      ) : null}

      <div className="cards">
        <section className="card" aria-labelledby={`${id}-labels`}>
          <h2 id={`${id}-labels`}>Labels</h2>
          {Object.keys(cluster.labels).length ? (
            <ul className="labels">
              {Object.entries(cluster.labels).map(([k, v]) => (
                <li key={k}>
                  <a className="label" href={href([], { selector: `${k}=${v}` })} title={`Show the clusters with ${k}=${v}`}>
                    <span className="label-key">{k}</span>
                    <span className="label-value">{v}</span>
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">No labels.</p>
          )}
        </section>
        <section className="card" aria-labelledby={`${id}-identity`}>
          <h2 id={`${id}-identity`}>Identity</h2>
          {identity && Object.keys(identity).length ? (
            <dl className="facts">
              {Object.entries(identity).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>
                    <code>{v}</code>
                  </dd>
                </div>
              ))}
            </dl>
          ) : (
            <p className="muted">{identity ? 'The record states no identity facts.' : 'This hub does not report identity facts.'}</p>
          )}
          <h3>Fingerprint</h3>
          {fingerprint ? (
            <p>
              <span className={`badge tone-${fingerprintWords[fingerprint.status].tone}`}>
                <Icon name={fingerprintWords[fingerprint.status].icon} />
                <span>{fingerprintWords[fingerprint.status].text}</span>
              </span>
              {fingerprint.message ? (
                <>
                  <br />
                  <span className="small">{fingerprint.message}</span>
                </>
              ) : null}
              {fingerprint.expected ? (
                <>
                  <br />
                  <span className="muted small">
                    recorded <code>{fingerprint.expected}</code>
                  </span>
                </>
              ) : null}
            </p>
          ) : (
            <p className="muted">No guard has blocked this cluster for its fingerprint.</p>
          )}
        </section>
      </div>

      <section aria-labelledby={`${id}-releases`}>
        <h2 id={`${id}-releases`}>Releases</h2>
        {targets.length === 0 ? (
          <p className="muted">No release targets this cluster.</p>
        ) : (
          <div className="table-scroll">
            <table className="table table-stack">
              <thead>
                <tr>
                  <th scope="col">Release</th>
                  <th scope="col">Sync</th>
                  <th scope="col">Health</th>
                  <th scope="col">Revision</th>
                  <th scope="col">Drift</th>
                  <th scope="col">Message</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {targets.map((t) => (
                  <tr key={t.release} id={`release-${t.release}`} className={focusRelease === t.release ? 'row-focus' : undefined} data-release={t.release}>
                    <th scope="row">{t.release}</th>
                    <td data-label="Sync">
                      <Badge table={syncInfo} state={t.sync} />
                    </td>
                    <td data-label="Health">
                      <Badge table={healthInfo} state={t.health} />
                    </td>
                    <td data-label="Revision">
                      <code title={t.revision}>{shortRevision(t.revision)}</code>
                      {t.desiredRevision && t.desiredRevision !== t.revision ? (
                        <span className="muted small">
                          {' '}
                          → <code title={t.desiredRevision}>{shortRevision(t.desiredRevision)}</code>
                        </span>
                      ) : null}
                    </td>
                    <td data-label="Drift">{t.drift > 0 ? <span className="badge badge-compact tone-drift">Δ {t.drift}</span> : <span className="muted">none</span>}</td>
                    <td data-label="Message" className="cell-message">{t.message || <span className="muted">—</span>}</td>
                    <td data-label="Updated" className="nowrap" title={clockTime(t.updatedAt)}>
                      {ago(t.updatedAt)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby={`${id}-drift`}>
        <h2 id={`${id}-drift`}>Drift</h2>
        {drift.length === 0 ? (
          <p className="muted">
            <Icon name="check" /> No drift: the live objects match what Git says.
          </p>
        ) : (
          <ul className="drift-list">
            {drift.map((d) => (
              <li key={`${d.release}/${d.object}`} className="drift-item">
                <h3>
                  <span className="badge badge-compact tone-drift">
                    <Icon name="delta" />
                    <span>{d.missing ? 'Missing' : 'Drifted'}</span>
                  </span>{' '}
                  <code>{d.object}</code> <span className="muted small">in {d.release}{d.since ? `, since ${ago(d.since)}` : ''}</span>
                </h3>
                <DriftTable drift={d} />
              </li>
            ))}
          </ul>
        )}
      </section>

      {detail.objects ? (
        <section aria-labelledby={`${id}-objects`}>
          <h2 id={`${id}-objects`}>Objects</h2>
          {[...objectsByRelease.entries()].map(([release, objects]) => (
            <details key={release} className="objects" open={focusRelease === release || objectsByRelease.size === 1}>
              <summary>
                {release} <span className="muted">· {objects.length} objects</span>
                {objects.some((o) => o.health !== 'Healthy') ? <span className="muted"> · {objects.filter((o) => o.health !== 'Healthy').length} not healthy</span> : null}
              </summary>
              <ul className="object-list">
                {objects.map((o) => (
                  <li key={o.object}>
                    <Badge table={healthInfo} state={o.health} compact /> <code>{o.object}</code> {o.message ? <span className="muted small">{o.message}</span> : null}
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </section>
      ) : null}

      <section aria-labelledby={`${id}-events`}>
        <h2 id={`${id}-events`}>Recent events</h2>
        <EventList events={events.slice(0, 30)} hideCluster />
        <p>
          <a href={href(['history'], { cluster: name })}>All events of {name}</a>
        </p>
      </section>
    </section>
  );
}
