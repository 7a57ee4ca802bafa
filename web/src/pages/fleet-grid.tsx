// The fleet at a glance: clusters (grouped by a label) × releases, each cell a target's sync state,
// health, revision and drift, kept live by the event stream; a label selector filter and totals.
import { memo, useCallback, useEffect, useId, useMemo, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import type { ClusterSummary, TargetView } from '../api.js';
import { useSession } from '../app.js';
import { ago, shortRevision } from '../format.js';
import { useHub } from '../hub-store.js';
import { href, replaceQuery, useRoute, useTitle } from '../route.js';
import { matches, parseSelector } from '../selector.js';
import { Badge, healthInfo, Icon, stateOf, syncInfo, syncOrder } from '../states.js';

// Environments read best in promotion order, not alphabetically.
const envRank = ['dev', 'development', 'test', 'qa', 'staging', 'stage', 'preprod', 'production', 'prod'];

function groupOrder(a: string, b: string): number {
  const ra = envRank.indexOf(a);
  const rb = envRank.indexOf(b);
  if (ra >= 0 && rb >= 0) return ra - rb;
  if (ra >= 0 !== rb >= 0) return ra >= 0 ? -1 : 1;
  return a.localeCompare(b);
}

interface Group {
  value: string;
  clusters: ClusterSummary[];
}

interface Totals {
  sync: Record<string, number>;
  health: Record<string, number>;
  drift: number;
  targets: number;
  unreachableClusters: number;
}

function cellLabel(cluster: string, release: string, t: TargetView | undefined): string {
  if (!t) return `${cluster}, ${release}: not targeted`;
  const sync = stateOf(syncInfo, t.sync).label;
  const drift = t.drift > 0 ? `${t.drift} object${t.drift === 1 ? '' : 's'} drifted` : 'no drift';
  return `${cluster}, ${release}: ${sync}, health ${t.health}, revision ${shortRevision(t.revision)}, ${drift}`;
}

const sameTarget = (a: TargetView | undefined, b: TargetView | undefined) =>
  a === b || (!!a && !!b && a.sync === b.sync && a.health === b.health && a.revision === b.revision && a.drift === b.drift && a.message === b.message);

interface RowProps {
  cluster: ClusterSummary;
  cells: (TargetView | undefined)[];
  releases: string[];
  row: number;
  /** The column that holds the grid's one tab stop, or -1 when it is in another row. */
  activeCol: number;
}

const Row = memo(
  function Row({ cluster, cells, releases, row, activeCol }: RowProps) {
    const down = cluster.reachable === false;
    return (
      <tr>
        <th scope="row" className="grid-cluster">
          <a href={href(['clusters', cluster.name])} data-r={row} data-c={0} tabIndex={activeCol === 0 ? 0 : -1}>
            <span className="grid-cluster-name">{cluster.name}</span>
            {down ? (
              <span className="grid-cluster-down" title={cluster.message ?? 'unreachable'}>
                <Icon name="unplug" />
                <span className="visually-hidden">unreachable</span>
              </span>
            ) : null}
          </a>
        </th>
        {cells.map((t, i) => {
          const col = i + 1;
          const release = releases[i]!;
          if (!t)
            return (
              <td key={release} className="cell cell-none">
                <span data-r={row} data-c={col} tabIndex={activeCol === col ? 0 : -1} aria-label={cellLabel(cluster.name, release, t)} title="this release does not target this cluster">
                  ·
                </span>
              </td>
            );
          const sync = stateOf(syncInfo, t.sync);
          const health = stateOf(healthInfo, t.health);
          return (
            <td key={release} className={`cell tone-${sync.tone}`} data-state={t.sync} data-health={t.health}>
              <a
                href={href(['clusters', cluster.name], { release })}
                data-r={row}
                data-c={col}
                tabIndex={activeCol === col ? 0 : -1}
                aria-label={cellLabel(cluster.name, release, t)}
                title={t.message || `${sync.label}: ${sync.help}`}
              >
                <span className="cell-state">
                  <Icon name={sync.icon} />
                  <span className="cell-word">{sync.label}</span>
                </span>
                <span className="cell-meta">
                  <span className="cell-rev">{shortRevision(t.revision)}</span>
                  <span className={`cell-health tone-text-${health.tone}`}>
                    <Icon name={health.icon} />
                    <span className="cell-health-word">{health.label}</span>
                  </span>
                  {t.drift > 0 ? <span className="cell-drift">Δ {t.drift}</span> : null}
                </span>
              </a>
            </td>
          );
        })}
      </tr>
    );
  },
  (a, b) => a.cluster === b.cluster && a.row === b.row && a.activeCol === b.activeCol && a.releases === b.releases && a.cells.length === b.cells.length && a.cells.every((t, i) => sameTarget(t, b.cells[i])),
);

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

  const groups = useMemo<Group[]>(() => {
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
    const t: Totals = { sync: {}, health: {}, drift: 0, targets: 0, unreachableClusters: 0 };
    // Counted over the clusters the selector picks, before the state filter, so that the state
    // buttons keep their numbers while one of them is pressed.
    const requirements = parsed.ok ? parsed.requirements : [];
    for (const c of hub.clusters) {
      if (!matches(requirements, c.labels)) continue;
      if (c.reachable === false) t.unreachableClusters++;
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

  // One tab stop for the whole grid; arrow keys move it (the ARIA grid pattern's roving tabindex).
  const [active, setActive] = useState({ r: 0, c: 0 });
  const table = useRef<HTMLTableElement>(null);
  const maxRow = rows.length - 1;
  const maxCol = releases.length;
  const clampedActive = { r: Math.min(active.r, Math.max(0, maxRow)), c: Math.min(active.c, maxCol) };
  const focusCell = useCallback((r: number, c: number) => {
    // Every cell is in the DOM already (tabindex -1 is focusable from script), so the focus moves
    // at once and a fast run of key presses never acts on a cell it has left.
    table.current?.querySelector<HTMLElement>(`[data-r="${r}"][data-c="${c}"]`)?.focus();
    setActive({ r, c });
  }, []);
  const onKeyDown = (e: KeyboardEvent<HTMLTableElement>) => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-r]');
    if (!cell) return;
    const r = Number(cell.dataset.r);
    const c = Number(cell.dataset.c);
    const moves: Record<string, [number, number]> = {
      ArrowUp: [r - 1, c],
      ArrowDown: [r + 1, c],
      ArrowLeft: [r, c - 1],
      ArrowRight: [r, c + 1],
      Home: e.ctrlKey ? [0, 0] : [r, 0],
      End: e.ctrlKey ? [maxRow, maxCol] : [r, maxCol],
      PageUp: [r - 10, c],
      PageDown: [r + 10, c],
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    focusCell(Math.max(0, Math.min(maxRow, move[0])), Math.max(0, Math.min(maxCol, move[1])));
  };
  const onFocus = (e: FocusEvent<HTMLTableElement>) => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-r]');
    if (cell) {
      const r = Number(cell.dataset.r);
      const c = Number(cell.dataset.c);
      if (r !== active.r || c !== active.c) setActive({ r, c });
    }
  };

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
          <div className="grid-scroll">
            <table className="grid" ref={table} onKeyDown={onKeyDown} onFocus={onFocus} aria-describedby={`${id}-hint`} data-ready={hub.loaded ? 'true' : undefined}>
              <caption className="visually-hidden">Clusters by release: sync state, revision, health and drift of each target</caption>
              <thead>
                <tr>
                  <th scope="col" className="grid-corner">
                    Cluster
                  </th>
                  {releases.map((r) => (
                    <th key={r} scope="col">
                      {r}
                    </th>
                  ))}
                </tr>
              </thead>
              {(() => {
                let index = 0;
                return groups.map((g) => (
                  <tbody key={g.value} data-group={g.value}>
                    {groupBy ? (
                      <tr className="grid-group">
                        <th scope="rowgroup" colSpan={releases.length + 1}>
                          <span className="grid-group-key">{groupBy}</span> {g.value || <em>no label</em>} <span className="muted">· {g.clusters.length}</span>
                        </th>
                      </tr>
                    ) : null}
                    {g.clusters.map((c) => {
                      const row = index++;
                      return <Row key={c.name} cluster={c} cells={cellsOf.get(c.name)!} releases={releases} row={row} activeCol={clampedActive.r === row ? clampedActive.c : -1} />;
                    })}
                  </tbody>
                ));
              })()}
            </table>
          </div>
        </>
      )}
    </section>
  );
}
