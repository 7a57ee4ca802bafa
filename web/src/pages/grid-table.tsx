// The fleet grid's table: clusters × releases, drawn only where it can be seen. A fleet of a
// thousand clusters is thousands of cells; laying them all out costs the browser far more than the
// data does, so the table renders the rows in its scroll box (plus a margin) between two spacer
// rows, and tells assistive technology the full row count. Keyboard focus follows the ARIA grid
// pattern: one tab stop, arrow keys, Home/End, Page Up/Down, Ctrl+Home/End; a move to a row that is
// not drawn yet scrolls it into the box first.
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import type { ClusterSummary, TargetView } from '../api.js';
import { shortRevision } from '../format.js';
import { href } from '../route.js';
import { healthInfo, Icon, PullBadge, stateOf, syncInfo } from '../states.js';

/** GridGroup is the clusters that share the grouping label's value. */
export interface GridGroup {
  value: string;
  clusters: ClusterSummary[];
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
  /** aria-rowindex: the row's place among all rows, drawn or not (the header is 1). */
  ariaRow: number;
  /** The column that holds the grid's one tab stop, or -1 when it is in another row. */
  activeCol: number;
}

const Row = memo(
  function Row({ cluster, cells, releases, row, ariaRow, activeCol }: RowProps) {
    const down = cluster.reachable === false;
    return (
      <tr className="grid-row" aria-rowindex={ariaRow}>
        <th scope="row" className="grid-cluster">
          <a href={href(['clusters', cluster.name])} data-r={row} data-c={0} tabIndex={activeCol === 0 ? 0 : -1}>
            <span className="grid-cluster-name">{cluster.name}</span>
            {/* The space keeps the link's accessible name two words: "NAME pull mode". */}
            {cluster.mode === 'pull' ? <> <PullBadge /></> : null}
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
  (a, b) =>
    a.cluster === b.cluster && a.row === b.row && a.ariaRow === b.ariaRow && a.activeCol === b.activeCol && a.releases === b.releases && a.cells.length === b.cells.length && a.cells.every((t, i) => sameTarget(t, b.cells[i])),
);

type Item = { kind: 'group'; key: string; group: GridGroup } | { kind: 'row'; key: string; cluster: ClusterSummary; row: number };

/** How far beyond the visible box rows are drawn, in pixels: room for fast scrolling and focus moves. */
const overscan = 600;

/** GridTable draws the grid (see above). */
export function GridTable({ groups, groupBy, releases, cellsOf, describedBy, ready }: { groups: GridGroup[]; groupBy: string; releases: string[]; cellsOf: Map<string, (TargetView | undefined)[]>; describedBy: string; ready: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const table = useRef<HTMLTableElement>(null);

  const { items, rowItem, rowCount } = useMemo(() => {
    const items: Item[] = [];
    const rowItem: number[] = [];
    let row = 0;
    for (const g of groups) {
      if (groupBy) items.push({ kind: 'group', key: `group:${g.value}`, group: g });
      for (const c of g.clusters) {
        rowItem.push(items.length);
        items.push({ kind: 'row', key: c.name, cluster: c, row: row++ });
      }
    }
    return { items, rowItem, rowCount: row };
  }, [groups, groupBy]);

  // Heights are measured from drawn rows (they differ between desktop and phone layouts); the
  // first render uses estimates.
  const [size, setSize] = useState({ row: 52, group: 35, head: 38 });
  const [view, setView] = useState({ top: 0, height: 900 });
  const tops = useMemo(() => {
    const out = new Array<number>(items.length + 1);
    out[0] = 0;
    for (let i = 0; i < items.length; i++) out[i + 1] = out[i]! + (items[i]!.kind === 'row' ? size.row : size.group);
    return out;
  }, [items, size]);
  const total = tops[items.length]!;

  // The first item whose bottom is below y (binary search over the running tops).
  const itemAt = useCallback(
    (y: number) => {
      let lo = 0;
      let hi = items.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (tops[mid + 1]! <= y) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    },
    [items.length, tops],
  );
  const bodyTop = Math.max(0, view.top - size.head);
  const first = Math.min(itemAt(bodyTop - overscan), items.length);
  const last = Math.min(items.length, itemAt(bodyTop + view.height + overscan) + 1);
  const drawn = items.slice(first, last);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    let frame = 0;
    const update = () => {
      frame = 0;
      setView((v) => (v.top === el.scrollTop && v.height === el.clientHeight ? v : { top: el.scrollTop, height: el.clientHeight }));
    };
    const onScroll = () => {
      if (!frame) frame = requestAnimationFrame(update);
    };
    update();
    el.addEventListener('scroll', onScroll, { passive: true });
    const resize = new ResizeObserver(onScroll);
    resize.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      resize.disconnect();
      cancelAnimationFrame(frame);
    };
  }, []);

  // When the rows change (a new filter), the box may already have clamped its scroll position
  // without a scroll event yet; read it now so the drawn window is never past the last row.
  useLayoutEffect(() => {
    const el = box.current;
    if (el && (el.scrollTop !== view.top || el.clientHeight !== view.height)) setView({ top: el.scrollTop, height: el.clientHeight });
  }, [items]);

  useLayoutEffect(() => {
    const t = table.current;
    if (!t) return;
    const row = t.querySelector<HTMLElement>('tr.grid-row')?.getBoundingClientRect().height;
    const group = t.querySelector<HTMLElement>('tr.grid-group')?.getBoundingClientRect().height;
    const head = t.tHead?.getBoundingClientRect().height;
    setSize((s) => {
      const next = { row: row || s.row, group: group || s.group, head: head || s.head };
      return Math.abs(next.row - s.row) > 0.5 || Math.abs(next.group - s.group) > 0.5 || Math.abs(next.head - s.head) > 0.5 ? next : s;
    });
  });

  // One tab stop: the active cell when its row is drawn, else the same column in the first drawn row.
  const [active, setActive] = useState({ r: 0, c: 0 });
  const pending = useRef<{ r: number; c: number } | undefined>(undefined);
  const maxRow = rowCount - 1;
  const maxCol = releases.length;
  const drawnRows = drawn.filter((i): i is Extract<Item, { kind: 'row' }> => i.kind === 'row');
  const activeC = Math.min(active.c, maxCol);
  const tabRow = drawnRows.some((i) => i.row === active.r) ? active.r : (drawnRows[0]?.row ?? -1);

  const cellElement = (r: number, c: number) => table.current?.querySelector<HTMLElement>(`[data-r="${r}"][data-c="${c}"]`) ?? null;
  const focusCell = (r: number, c: number) => {
    const el = cellElement(r, c);
    setActive({ r, c });
    if (el) {
      el.focus();
      return;
    }
    // Not drawn yet: bring its row into the box; the focus follows once it is drawn.
    pending.current = { r, c };
    const b = box.current;
    if (b) b.scrollTop = Math.max(0, tops[rowItem[r]!]! + size.head - b.clientHeight / 3);
    setView({ top: b?.scrollTop ?? 0, height: b?.clientHeight ?? view.height });
  };
  useLayoutEffect(() => {
    const p = pending.current;
    if (!p) return;
    const el = cellElement(p.r, p.c);
    if (el) {
      pending.current = undefined;
      el.focus();
    }
  });

  const onKeyDown = (e: KeyboardEvent<HTMLTableElement>) => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-r]');
    if (!cell) return;
    const r = Number(cell.dataset.r);
    const c = Number(cell.dataset.c);
    const page = Math.max(1, Math.floor((view.height - size.head) / size.row) - 1);
    const moves: Record<string, [number, number]> = {
      ArrowUp: [r - 1, c],
      ArrowDown: [r + 1, c],
      ArrowLeft: [r, c - 1],
      ArrowRight: [r, c + 1],
      Home: e.ctrlKey ? [0, 0] : [r, 0],
      End: e.ctrlKey ? [maxRow, maxCol] : [r, maxCol],
      PageUp: [r - page, c],
      PageDown: [r + page, c],
    };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    focusCell(Math.max(0, Math.min(maxRow, move[0])), Math.max(0, Math.min(maxCol, move[1])));
  };
  const onFocus = (e: FocusEvent<HTMLTableElement>) => {
    const cell = (e.target as HTMLElement).closest<HTMLElement>('[data-r]');
    if (!cell) return;
    const r = Number(cell.dataset.r);
    const c = Number(cell.dataset.c);
    if (r !== active.r || c !== active.c) setActive({ r, c });
  };

  const columns = releases.length + 1;
  const topPad = tops[first]!;
  const bottomPad = total - tops[last]!;
  return (
    <div className="grid-scroll" ref={box}>
      <table
        className="grid"
        ref={table}
        onKeyDown={onKeyDown}
        onFocus={onFocus}
        aria-describedby={describedBy}
        aria-rowcount={items.length + 1}
        data-ready={ready ? 'true' : undefined}
        data-rows={rowCount}
      >
        <caption className="visually-hidden">Clusters by release: sync state, revision, health and drift of each target</caption>
        <thead>
          <tr aria-rowindex={1}>
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
        <tbody>
          {topPad > 0 ? (
            <tr className="grid-pad" aria-hidden="true">
              <td colSpan={columns} style={{ height: topPad }} />
            </tr>
          ) : null}
          {drawn.map((item, i) =>
            item.kind === 'group' ? (
              <tr key={item.key} className="grid-group" aria-rowindex={first + i + 2} data-group={item.group.value}>
                <th colSpan={columns}>
                  <span className="grid-group-key">{groupBy}</span> {item.group.value || <em>no label</em>} <span className="muted">· {item.group.clusters.length}</span>
                </th>
              </tr>
            ) : (
              <Row
                key={item.key}
                cluster={item.cluster}
                cells={cellsOf.get(item.cluster.name)!}
                releases={releases}
                row={item.row}
                ariaRow={first + i + 2}
                activeCol={tabRow === item.row ? activeC : -1}
              />
            ),
          )}
          {bottomPad > 0 ? (
            <tr className="grid-pad" aria-hidden="true">
              <td colSpan={columns} style={{ height: bottomPad }} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
