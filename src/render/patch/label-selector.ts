import { FlotillaError, fail, ok, type Result } from '../../core/index.js';

/** SelectorOperator is one operator of the Kubernetes label selector syntax. */
export type SelectorOperator = 'exists' | 'notExists' | 'equals' | 'notEquals' | 'in' | 'notIn' | 'gt' | 'lt';

/** SelectorRequirement is one comma-separated clause of a label selector, such as `tier in (a,b)`. */
export interface SelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values: string[];
}

/** LabelSelector is a parsed selector: every requirement must hold (an empty list selects everything). */
export type LabelSelector = SelectorRequirement[];

type Token = { kind: 'ident'; text: string } | { kind: 'op'; text: '(' | ')' | ',' | '=' | '==' | '!=' | '!' | '<' | '>' };

// The characters that end an identifier, as in apimachinery's selector lexer.
const special = new Set(['(', ')', ',', '=', '!', '<', '>']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '=' && text[i + 1] === '=') {
      tokens.push({ kind: 'op', text: '==' });
      i += 2;
    } else if (c === '!' && text[i + 1] === '=') {
      tokens.push({ kind: 'op', text: '!=' });
      i += 2;
    } else if (special.has(c)) {
      tokens.push({ kind: 'op', text: c as '(' });
      i++;
    } else {
      let j = i;
      while (j < text.length && !special.has(text[j]!) && !/\s/.test(text[j]!)) j++;
      tokens.push({ kind: 'ident', text: text.slice(i, j) });
      i = j;
    }
  }
  return tokens;
}

/**
 * parseLabelSelector parses the Kubernetes label selector syntax that kustomize's labelSelector
 * and annotationSelector use: `key`, `!key`, `key=value`, `key==value`, `key!=value`,
 * `key in (a,b)`, `key notin (a,b)`, `key>1`, `key<1`, joined by commas.
 */
export function parseLabelSelector(text: string, where: { file?: string; field?: string } = {}): Result<LabelSelector> {
  const invalid = (why: string) =>
    fail<LabelSelector>(
      new FlotillaError('RENDER_PATCH_INVALID', `${[where.file, where.field].filter(Boolean).join(': ') || 'selector'}: invalid selector "${text}": ${why}`, {
        file: where.file,
        field: where.field,
        hint: 'Use the Kubernetes label selector syntax, e.g. `app=web,tier in (frontend,backend),!legacy`.',
      }),
    );
  const tokens = tokenize(text);
  const out: SelectorRequirement[] = [];
  let i = 0;
  const peek = () => tokens[i];
  const isOp = (t: Token | undefined, op: string) => t?.kind === 'op' && t.text === op;
  if (tokens.length === 0) return ok(out);
  for (;;) {
    let negated = false;
    if (isOp(peek(), '!')) {
      negated = true;
      i++;
    }
    const keyToken = tokens[i++];
    if (keyToken?.kind !== 'ident') return invalid('expected a key');
    const key = keyToken.text;
    const next = peek();
    if (negated) {
      out.push({ key, operator: 'notExists', values: [] });
    } else if (next === undefined || isOp(next, ',')) {
      out.push({ key, operator: 'exists', values: [] });
    } else if (next.kind === 'ident' && (next.text === 'in' || next.text === 'notin')) {
      i++;
      if (!isOp(tokens[i++], '(')) return invalid(`expected "(" after ${next.text}`);
      const values: string[] = [];
      for (;;) {
        const t = tokens[i];
        if (t?.kind === 'ident') {
          values.push(t.text);
          i++;
        } else {
          values.push('');
        }
        const sep = tokens[i++];
        if (isOp(sep, ')')) break;
        if (!isOp(sep, ',')) return invalid('expected "," or ")" in a value set');
      }
      out.push({ key, operator: next.text === 'in' ? 'in' : 'notIn', values });
    } else if (next.kind === 'op' && (next.text === '=' || next.text === '==' || next.text === '!=')) {
      i++;
      const t = peek();
      let value = '';
      if (t?.kind === 'ident') {
        value = t.text;
        i++;
      }
      out.push({ key, operator: next.text === '!=' ? 'notEquals' : 'equals', values: [value] });
    } else if (next.kind === 'op' && (next.text === '<' || next.text === '>')) {
      i++;
      const t = tokens[i++];
      if (t?.kind !== 'ident' || !/^-?\d+$/.test(t.text)) return invalid(`expected an integer after ${next.text}`);
      out.push({ key, operator: next.text === '>' ? 'gt' : 'lt', values: [t.text] });
    } else {
      return invalid(`unexpected "${next.text}" after key ${key}`);
    }
    const sep = tokens[i++];
    if (sep === undefined) break;
    if (!isOp(sep, ',')) return invalid(`expected "," but found "${sep.text}"`);
  }
  return ok(out);
}

/** matchesLabelSelector tells whether a label (or annotation) map satisfies every requirement. */
export function matchesLabelSelector(selector: LabelSelector, labels: Record<string, unknown> | undefined): boolean {
  const map = labels ?? {};
  return selector.every(({ key, operator, values }) => {
    const has = Object.prototype.hasOwnProperty.call(map, key);
    const value = has ? String(map[key]) : undefined;
    switch (operator) {
      case 'exists':
        return has;
      case 'notExists':
        return !has;
      case 'equals':
      case 'in':
        return has && values.includes(value!);
      case 'notEquals':
      case 'notIn':
        return !has || !values.includes(value!);
      case 'gt':
      case 'lt': {
        if (!has || !/^-?\d+$/.test(value!)) return false;
        const n = Number(value);
        return operator === 'gt' ? n > Number(values[0]) : n < Number(values[0]);
      }
    }
  });
}
