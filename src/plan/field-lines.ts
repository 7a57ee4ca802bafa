import type { JsonValue } from '../manifest/index.js';
import { describeMasked } from './mask.js';
import type { FieldChange } from './types.js';

/** DiffLine is one line of a field's before/after view: removed, added, or shown for context. */
export interface DiffLine {
  sign: '-' | '+' | ' ';
  text: string;
}

/** maxLineDiff bounds the line-by-line comparison of long text values (it is quadratic). */
const maxLineDiff = 2000;

/**
 * fieldDiffLines shows one field change as diff lines. Scalars are printed as JSON (so `"1"` and
 * `1` differ visibly); a multi-line string (a config file inside a ConfigMap) is compared line by
 * line so a one-line edit shows as one line, not the whole file twice. Masked values are only named.
 */
export function fieldDiffLines(field: FieldChange): DiffLine[] {
  if (field.masked) return [{ sign: ' ', text: describeMasked(field.action) }];
  const { before, after } = field;
  if (typeof before === 'string' && typeof after === 'string' && (before.includes('\n') || after.includes('\n'))) {
    return lineDiff(textLines(before), textLines(after));
  }
  const out: DiffLine[] = [];
  if (field.action !== 'add') out.push(...valueLines(before!).map((text) => ({ sign: '-' as const, text })));
  if (field.action !== 'remove') out.push(...valueLines(after!).map((text) => ({ sign: '+' as const, text })));
  return out;
}

/** formatValue prints a value on one line as JSON, the way the field diff shows scalars. */
export function formatValue(value: JsonValue): string {
  return JSON.stringify(value) ?? 'null';
}

// A final newline ends the last line; it does not start an empty one.
function textLines(text: string): string[] {
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

function valueLines(value: JsonValue): string[] {
  if (typeof value === 'string' && value.includes('\n')) return textLines(value);
  return [formatValue(value)];
}

/**
 * lineDiff is a longest-common-subsequence diff of two lists of lines. Common lines far from any
 * change are dropped (three lines of context are kept, as `diff -u` does).
 */
export function lineDiff(a: string[], b: string[]): DiffLine[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  let middle: DiffLine[];
  if (midA.length * midB.length > maxLineDiff * maxLineDiff) {
    middle = [...midA.map((text) => ({ sign: '-' as const, text })), ...midB.map((text) => ({ sign: '+' as const, text }))];
  } else {
    middle = lcsDiff(midA, midB);
  }
  const all: DiffLine[] = [
    ...a.slice(0, start).map((text) => ({ sign: ' ' as const, text })),
    ...middle,
    ...a.slice(endA).map((text) => ({ sign: ' ' as const, text })),
  ];
  return trimContext(all, 3);
}

function lcsDiff(a: string[], b: string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  // lengths[i][j] = LCS length of a[i..] and b[j..], in one flat array.
  const lengths = new Uint32Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * (m + 1) + j] = a[i] === b[j] ? lengths[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(lengths[(i + 1) * (m + 1) + j]!, lengths[i * (m + 1) + j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ sign: ' ', text: a[i]! });
      i++;
      j++;
    } else if (lengths[(i + 1) * (m + 1) + j]! >= lengths[i * (m + 1) + j + 1]!) {
      out.push({ sign: '-', text: a[i++]! });
    } else {
      out.push({ sign: '+', text: b[j++]! });
    }
  }
  while (i < n) out.push({ sign: '-', text: a[i++]! });
  while (j < m) out.push({ sign: '+', text: b[j++]! });
  return out;
}

function trimContext(lines: DiffLine[], context: number): DiffLine[] {
  const keep = new Array<boolean>(lines.length).fill(false);
  lines.forEach((line, i) => {
    if (line.sign === ' ') return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k++) keep[k] = true;
  });
  const out: DiffLine[] = [];
  let skipped = false;
  lines.forEach((line, i) => {
    if (keep[i]) {
      out.push(line);
      skipped = false;
    } else if (!skipped) {
      out.push({ sign: ' ', text: '…' });
      skipped = true;
    }
  });
  return out;
}
