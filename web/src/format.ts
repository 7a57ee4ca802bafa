// How times, revisions and values read on the pages.

/** shortRevision shows a commit id as Git does (7 characters); other revisions as they are. */
export function shortRevision(revision: string | undefined): string {
  if (!revision) return '—';
  return /^[0-9a-f]{40}$/i.test(revision) ? revision.slice(0, 7) : revision.length > 14 ? `${revision.slice(0, 13)}…` : revision;
}

/** ago says how long ago a time was, in one unit. */
export function ago(time: number | undefined, now = Date.now()): string {
  if (!time) return 'never';
  const s = Math.max(0, Math.round((now - time) / 1000));
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

/** duration shows milliseconds as `1 h 02 min`, `4 min 05 s` or `12 s`. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h) return m ? `${h} h ${String(m).padStart(2, '0')} min` : `${h} h`;
  if (m) return sec ? `${m} min ${String(sec).padStart(2, '0')} s` : `${m} min`;
  return `${sec} s`;
}

/** clockTime shows a time as a local date and time, for tables and titles. */
export function clockTime(time: number): string {
  return new Date(time).toLocaleString(undefined, { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** jsonValue shows a field's value in one line. */
export function jsonValue(value: unknown): string {
  if (value === undefined) return '(absent)';
  if (typeof value === 'string') return JSON.stringify(value);
  return JSON.stringify(value);
}
