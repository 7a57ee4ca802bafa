// The kubectl label selector syntax for the fleet grid's filter: `env=production`,
// `region in (eu-west,us-east)`, `env!=dev`, `tier notin (a,b)`, `gpu`, `!legacy`, joined by commas.
// It matches the hub's `POST /api/v1/sync {selector}`, so a filter can be pasted there and back.

/** Requirement is one clause of a selector. */
export interface Requirement {
  key: string;
  operator: 'exists' | 'notExists' | 'in' | 'notIn';
  values: string[];
}

/** SelectorResult is a parsed selector or why it is not one. */
export type SelectorResult = { ok: true; requirements: Requirement[] } | { ok: false; message: string };

const keyPattern = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valuePattern = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

// Commas separate clauses except inside `( … )`.
function clauses(text: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth < 0 || depth > 1) return undefined;
    if (c === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  out.push(text.slice(start));
  return out.map((s) => s.trim());
}

/** parseSelector reads a selector; an empty text selects every cluster. */
export function parseSelector(text: string): SelectorResult {
  const parts = text.trim() === '' ? [] : clauses(text);
  if (!parts) return { ok: false, message: 'unbalanced parentheses' };
  const requirements: Requirement[] = [];
  for (const part of parts) {
    if (part === '') return { ok: false, message: 'an empty clause (two commas in a row?)' };
    let m: RegExpMatchArray | null;
    let req: Requirement;
    if ((m = part.match(/^(\S+?)\s*(==|=|!=)\s*(\S*)$/))) req = { key: m[1]!, operator: m[2] === '!=' ? 'notIn' : 'in', values: [m[3]!] };
    else if ((m = part.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) req = { key: m[1]!, operator: m[2] === 'in' ? 'in' : 'notIn', values: m[3]!.split(',').map((v) => v.trim()) };
    else if ((m = part.match(/^!\s*(\S+)$/))) req = { key: m[1]!, operator: 'notExists', values: [] };
    else if ((m = part.match(/^(\S+)$/))) req = { key: m[1]!, operator: 'exists', values: [] };
    else return { ok: false, message: `"${part}" is not key=value, key!=value, key in (a,b), key notin (a,b), key or !key` };
    if (!keyPattern.test(req.key)) return { ok: false, message: `"${req.key}" is not a label key` };
    const bad = req.values.find((v) => !valuePattern.test(v));
    if (bad !== undefined) return { ok: false, message: `"${bad}" is not a label value` };
    requirements.push(req);
  }
  return { ok: true, requirements };
}

/** matches tells whether labels satisfy every requirement. */
export function matches(requirements: readonly Requirement[], labels: Record<string, string>): boolean {
  return requirements.every(({ key, operator, values }) => {
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (operator) {
      case 'exists':
        return has;
      case 'notExists':
        return !has;
      case 'in':
        return has && values.includes(labels[key]!);
      case 'notIn':
        return !has || !values.includes(labels[key]!);
    }
  });
}
