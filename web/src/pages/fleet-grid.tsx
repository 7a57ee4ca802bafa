// The fleet at a glance: clusters (grouped by a label) × releases, each cell a target's sync state,
// health, revision and drift, kept live by the event stream; a label selector filter and totals.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { ClusterSummary, TargetView } from '../api.js';
import { useSession } from '../app.js';
import { ago, shortRevision } from '../format.js';
import { useHub } from '../hub-store.js';
import { href, replaceQuery, useRoute, useTitle } from '../route.js';
import { matches, parseSelector } from '../selector.js';
import { Badge, healthInfo, Icon, PullBadge, stateOf, syncInfo, syncOrder } from '../states.js';
import { GridTable, type GridGroup } from './grid-table.js';

// Environments read best in promotion order, not alphabetically.
const envRank = ['dev', 'development', 'test', 'qa', 'staging', 'stage', 'preprod', 'production', 'prod'];

function groupOrder(a: string, b: string): number {
  const ra = envRank.indexOf(a);
  const rb = envRank.indexOf(b);
  if (ra >= 0 && rb >= 0) return ra - rb;
  if (ra >= 0 !== rb >= 0) return ra >= 0 ? -1 : 1;
  return a.localeCompare(b);
}


interface Totals {
  sync: Record<string, number>;
  health: Record<string, number>;
  drift: number;
  targets: number;
  unreachableClusters: number;
  pullClusters: number;
}

/** FleetGrid is the home page. */
export function FleetGrid() {
  useTitle('Fleet');
  const { store, canOperate, client } = useSession();
  const hub = useHub(store);
  const route = useRoute();
  const id = useId();
  const selectorText = route.query.get('selector') ?? '';
  const stateFilter = route.query.get('state') ?? '';
  const [draft, setDraft] = useState(selectorText);
  useEffect(() => setDraft(selectorText), [selectorText]);
  const parsed = useMemo(() => parseSelector(draft), [draft]);

  const labelKeys = useMemo(() => [...new Set(hub.clusters.flatMap((c) => Object.keys(c.labels)))].sort(), [hub.clusters]);
  const defaultGroup = labelKeys.includes('env') ? 'env' : '';
  const groupParam = route.query.get('group');
  const groupBy = groupParam === null ? defaultGroup : groupParam === 'none' ? '' : groupParam;

  const setQuery = (change: Record<string, string | undefined>) =>
    replaceQuery({ selector: selectorText || undefined, group: groupParam ?? undefined, state: stateFilter || undefined, ...change });

  const releases = useMemo(() => {
    const names = (hub.fleet?.releases ?? []).map((r) => r.name);
    for (const t of hub.targets) if (!names.includes(t.release)) names.push(t.release);
    return names;
  }, [hub.fleet, hub.targets]);

  const byCluster = useMemo(() => {
    const map = new Map<string, Map<string, TargetView>>();
    for (const t of hub.targets) {
      let row = map.get(t.cluster);
      if (!row) map.set(t.cluster, (row = new Map()));
      row.set(t.release, t);
    }
    return map;
  }, [hub.targets]);

  const shown = useMemo(() => {
    const requirements = parsed.ok ? parsed.requirements : [];
    return hub.clusters.filter((c) => {
      if (!matches(requirements, c.labels)) return false;
      if (!stateFilter) return true;
      const row = byCluster.get(c.name);
      return !!row && [...row.values()].some((t) => t.sync === stateFilter);
    });
  }, [hub.clusters, parsed, stateFilter, byCluster]);

  const groups = useMemo<GridGroup[]>(() => {
    if (!groupBy) return [{ value: '', clusters: shown }];
    const map = new Map<string, ClusterSummary[]>();
    for (const c of shown) {
      const value = c.labels[groupBy] ?? '';
      map.set(value, [...(map.get(value) ?? []), c]);
    }
    return [...map.entries()]
      .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : groupOrder(a, b)))
      .map(([value, clusters]) => ({ value, clusters }));
  }, [shown, groupBy]);

  const totals = useMemo<Totals>(() => {
    const t: Totals = { sync: {}, health: {}, drift: 0, targets: 0, unreachableClusters: 0, pullClusters: 0 };
    // Counted over the clusters the selector picks, before the state filter, so that the state
    // buttons keep their numbers while one of them is pressed.
    const requirements = parsed.ok ? parsed.requirements : [];
    for (const c of hub.clusters) {
      if (!matches(requirements, c.labels)) continue;
      if (c.reachable === false) t.unreachableClusters++;
      if (c.mode === 'pull') t.pullClusters++;
      for (const target of byCluster.get(c.name)?.values() ?? []) {
        t.targets++;
        t.sync[target.sync] = (t.sync[target.sync] ?? 0) + 1;
        t.health[target.health] = (t.health[target.health] ?? 0) + 1;
        t.drift += target.drift;
      }
    }
    return t;
  }, [hub.clusters, parsed, byCluster]);

  const rows = useMemo(() => groups.flatMap((g) => g.clusters), [groups]);
  const cellsOf = useMemo(() => {
    const cache = new Map<string, (TargetView | undefined)[]>();
    for (const c of rows) cache.set(c.name, releases.map((r) => byCluster.get(c.name)?.get(r)));
    return cache;
  }, [rows, releases, byCluster]);

  // The benchmark and the e2e tests read these marks: the grid is on screen with the hub's data.
  const marked = useRef(false);
  useEffect(() => {
    if (!hub.loaded || marked.current) return;
    marked.current = true;
    performance.mark('flotilla:grid-rendered');
    requestAnimationFrame(() => setTimeout(() => performance.mark('flotilla:grid-painted'), 0));
  }, [hub.loaded]);

  const [syncNotice, setSyncNotice] = useState<{ tone: 'ok' | 'bad'; text: string } | undefined>();
  const syncShown = async () => {
    const what = parsed.ok && draft.trim() ? `the clusters that match ${draft.trim()}` : 'every cluster of the fleet';
    if (!window.confirm(`Sync ${what} now?`)) return;
    try {
      const body = parsed.ok && draft.trim() ? { selector: draft.trim() } : {};
      const accepted = await client.post<{ targets: unknown[] }>('/api/v1/sync', body);
      setSyncNotice({ tone: 'ok', text: `Sync queued for ${accepted.targets.length} target${accepted.targets.length === 1 ? '' : 's'}.` });
    } catch (error) {
      setSyncNotice({ tone: 'bad', text: `Sync refused: ${(error as Error).message}` });
    }
  };

  const fleet = hub.fleet;
  const stateButtons = syncOrder.filter((s) => (totals.sync[s] ?? 0) > 0 || s === stateFilter);

  return (
    <section className="page page-wide" aria-labelledby={`${id}-title`}>
      <div className="page-head">
        <div>
          <h1 id={`${id}-title`} tabIndex={-1}>
            Fleet
          </h1>
          <p className="muted page-sub">
            {fleet?.revision ? (
              <>
                Revision <code title={fleet.revision}>{shortRevision(fleet.revision)}</code>
                {fleet.branch ? <> on {fleet.branch}</> : null}, fetched {ago(fleet.fetchedAt)} ·{' '}
              </>
            ) : null}
            {hub.clusters.length} clusters · {releases.length} releases
          </p>
        </div>
        {canOperate ? (
          <button type="button" className="button" onClick={syncShown} disabled={!parsed.ok}>
            <Icon name="spin" /> Sync {parsed.ok && draft.trim() ? 'matching clusters' : 'all'}
          </button>
        ) : null}
      </div>
      {syncNotice ? (
        <p className={`notice tone-${syncNotice.tone}`} role="status">
          {syncNotice.text}
        </p>
      ) : null}

      <div className="toolbar" role="search">
        <div className="field field-grow">
          <label htmlFor={`${id}-selector`}>Label selector</label>
          <input
            id={`${id}-selector`}
            type="search"
            placeholder="env=production, region in (eu-west,us-east)"
            value={draft}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => {
              setDraft(e.target.value);
              if (parseSelector(e.target.value).ok) setQuery({ selector: e.target.value || undefined });
            }}
            aria-invalid={parsed.ok ? undefined : true}
            aria-describedby={`${id}-selector-help`}
          />
          <span id={`${id}-selector-help`} className={parsed.ok ? 'field-help' : 'field-help field-error'} role={parsed.ok ? undefined : 'alert'}>
            {parsed.ok ? `${shown.length} of ${hub.clusters.length} clusters shown` : `Not a selector: ${parsed.message}`}
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-group`}>Group by</label>
          <select id={`${id}-group`} value={groupBy || 'none'} onChange={(e) => setQuery({ group: e.target.value })}>
            <option value="none">No grouping</option>
            {labelKeys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </div>
      </div>

      <div className="totals" role="group" aria-label="Targets by sync state; press one to show only clusters with a target in that state">
        <span className="totals-count">
          <strong>{totals.targets}</strong> targets
        </span>
        {stateButtons.map((s) => {
          const info = stateOf(syncInfo, s);
          const pressed = stateFilter === s;
          return (
            <button key={s} type="button" className={`chip tone-${info.tone}`} aria-pressed={pressed} onClick={() => setQuery({ state: pressed ? undefined : s })} data-total={s}>
              <Icon name={info.icon} />
              <span>{info.label}</span>
              <strong>{totals.sync[s] ?? 0}</strong>
            </button>
          );
        })}
        <span className="totals-sep" aria-hidden="true" />
        {Object.keys(healthInfo)
          .filter((h) => totals.health[h])
          .map((h) => (
            <span key={h} className="totals-health">
              <Badge table={healthInfo} state={h} compact /> <strong>{totals.health[h]}</strong>
            </span>
          ))}
        {totals.drift > 0 ? (
          <span className="totals-health">
            <span className="badge badge-compact tone-drift">
              <Icon name="delta" />
              <span>Drifted objects</span>
            </span>{' '}
            <strong>{totals.drift}</strong>
          </span>
        ) : null}
        {totals.unreachableClusters > 0 ? (
          <span className="totals-health">
            <Badge table={syncInfo} state="Unreachable" compact /> <strong>{totals.unreachableClusters}</strong> clusters
          </span>
        ) : null}
        {totals.pullClusters > 0 ? (
          <span className="totals-health" data-total-mode="pull">
            <PullBadge /> <strong>{totals.pullClusters}</strong> cluster{totals.pullClusters === 1 ? '' : 's'}
          </span>
        ) : null}
      </div>

      {!hub.loaded ? (
        <p className="muted" role="status">
          Loading the fleet…
        </p>
      ) : hub.clusters.length === 0 ? (
        <div className="empty">
          <p>The hub has no clusters yet.</p>
          <p className="muted">{hub.fleet?.error ? 'The fleet repository could not be read (see above).' : 'Clusters appear once the hub has read the fleet repository.'}</p>
        </div>
      ) : rows.length === 0 ? (
        <div className="empty">
          <p>No cluster matches this filter.</p>
          <button type="button" className="button" onClick={() => replaceQuery({ group: groupParam ?? undefined })}>
            Clear the filter
          </button>
        </div>
      ) : (
        <>
          <p className="muted small grid-hint" id={`${id}-hint`}>
            Arrow keys move between cells; Enter opens one.
          </p>
          <GridTable groups={groups} groupBy={groupBy} releases={releases} cellsOf={cellsOf} describedBy={`${id}-hint`} ready={hub.loaded} />
        </>
      )}
    </section>
  );
}
