// Post-render variable substitution with the semantics of Flux's postBuild.substitute (fluxcd/pkg
// envsubst, itself a fork of drone/envsubst), always strict:
//
// * `${VAR}`; `${VAR:=default}` / `${VAR:-default}` (default when unset or empty) and
//   `${VAR=default}` / `${VAR-default}` (default when unset); defaults may hold `${…}` themselves.
// * The bash forms Flux also supports: `${#VAR}`, `${VAR^}`, `${VAR^^}`, `${VAR,}`, `${VAR,,}`,
//   `${VAR:offset}`, `${VAR:offset:length}`, `${VAR#glob}`, `${VAR##glob}`, `${VAR%glob}`,
//   `${VAR%%glob}`, `${VAR/glob/text}`, `${VAR//glob/text}`, `${VAR/#glob/text}`, `${VAR/%glob/text}`.
// * `$$` is a literal `$` (so `$${VAR}` prints `${VAR}`); `$VAR` without braces is left alone.
// * An undefined variable without a default is an error; an object annotated (or labelled)
//   `flotilla.dev/substitute: disabled`, or Flux's `kustomize.toolkit.fluxcd.io/substitute: disabled`,
//   is left alone.
//
// Flux substitutes the YAML text of each object and parses it again, so `replicas: ${REPLICAS}`
// becomes a number. Flotilla substitutes the parsed object instead (no YAML injection through a
// value) and reproduces that typing: a string that kustomize would print unquoted, once
// substituted, takes the type YAML gives its new text when that is a number, a boolean or null.
// Where the API only takes strings (metadata, ConfigMap/Secret data, env values, args, command)
// the text stays a string: Flux would produce an object the API server rejects there.
// Map keys are substituted too, and stay strings.
import { isScalar, parseDocument, stringify } from 'yaml';
import { FlotillaError, fail, ok, formatRef, type Issue, type Result } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import { pointerOf, provenanceOf } from './kustomize/resource.js';
import type { ProvenanceEntry, RenderedObject } from './types.js';

/** substituteDisabledKeys are the annotation (or label) keys whose value `disabled` turns substitution off for an object. */
export const substituteDisabledKeys = ['flotilla.dev/substitute', 'kustomize.toolkit.fluxcd.io/substitute'] as const;

/** variableNamePattern is what a variable name must look like (Flux's varsubRegex). */
export const variableNamePattern = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/** SubstituteOptions are the variables of one target and where each was defined. */
export interface SubstituteOptions {
  variables: Readonly<Record<string, string>>;
  /** Where each variable was defined, recorded as the provenance of the fields it set. */
  sources?: Readonly<Record<string, ProvenanceEntry>>;
  /** Prefixed to messages, e.g. the target `prod-eu-west/web`. */
  context?: string;
}

// ---- the expression language

type Node = { kind: 'text'; text: string } | { kind: 'expr'; expr: Expr };

type Expr =
  | { op: 'value'; name: string }
  | { op: 'length'; name: string }
  | { op: 'case'; name: string; upper: boolean; all: boolean }
  | { op: 'default'; name: string; ifEmpty: boolean; fallback: Node[] }
  | { op: 'substring'; name: string; offset: number; length?: number }
  | { op: 'strip'; name: string; from: 'start' | 'end'; longest: boolean; pattern: string }
  | { op: 'replace'; name: string; mode: 'first' | 'all' | 'start' | 'end'; pattern: string; replacement: string };

class SubstitutionSyntaxError extends Error {}

/** parseSubstitution parses a string into text and `${…}` expressions; it throws on a malformed expression. */
function parse(text: string): Node[] {
  const nodes: Node[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '$' && text[i + 1] === '$') {
      literal += '$';
      i += 2;
    } else if (c === '$' && text[i + 1] === '{') {
      const end = matchingBrace(text, i + 2);
      if (end < 0) throw new SubstitutionSyntaxError(`"${text.slice(i, i + 40)}" opens \${ without a closing }`);
      if (literal) nodes.push({ kind: 'text', text: literal });
      literal = '';
      nodes.push({ kind: 'expr', expr: parseExpr(text.slice(i + 2, end)) });
      i = end + 1;
    } else {
      literal += c;
      i++;
    }
  }
  if (literal) nodes.push({ kind: 'text', text: literal });
  return nodes;
}

function matchingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\' && (text[i + 1] === '}' || text[i + 1] === '\\' || text[i + 1] === '/')) i++;
    else if (c === '$' && text[i + 1] === '$') i++;
    else if (c === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

// Backslash escapes only `/` and `\` inside patterns and replacements, as fluxcd/pkg's scanner does.
function unescape(text: string): string {
  return text.replace(/\\([/\\])/g, '$1');
}

function splitUnescaped(text: string, separator: string): [string, string] | undefined {
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === separator) return [text.slice(0, i), text.slice(i + 1)];
  }
  return undefined;
}

function parseExpr(body: string): Expr {
  const bad = (why: string) => new SubstitutionSyntaxError(`\${${body}} ${why}`);
  if (body.startsWith('#')) {
    const name = body.slice(1);
    if (!variableNamePattern.test(name)) throw bad('is not a valid length expression; write ${#NAME}');
    return { op: 'length', name };
  }
  const nameMatch = /^[_a-zA-Z][_a-zA-Z0-9]*/.exec(body);
  if (!nameMatch) throw bad('does not start with a variable name (a letter or "_", then letters, digits or "_")');
  const name = nameMatch[0];
  const rest = body.slice(name.length);
  if (rest === '') return { op: 'value', name };
  for (const [prefix, ifEmpty] of [[':=', true], [':-', true], ['=', false], ['-', false]] as const) {
    if (rest.startsWith(prefix)) return { op: 'default', name, ifEmpty, fallback: parse(rest.slice(prefix.length)) };
  }
  if (/^(:\?|:\+|\+|\?)/.test(rest)) throw bad(`uses ${rest.slice(0, 2).replace(/[^:?+]/g, '')}, which Flux substitution does not support`);
  const substring = /^:(\d+)(?::(\d+))?$/.exec(rest);
  if (substring) return { op: 'substring', name, offset: Number(substring[1]), ...(substring[2] !== undefined ? { length: Number(substring[2]) } : {}) };
  const casing = /^(\^\^|\^|,,|,)$/.exec(rest);
  if (casing) return { op: 'case', name, upper: rest.startsWith('^'), all: rest.length === 2 };
  for (const [prefix, from, longest] of [['##', 'start', true], ['#', 'start', false], ['%%', 'end', true], ['%', 'end', false]] as const) {
    if (rest.startsWith(prefix)) return { op: 'strip', name, from, longest, pattern: unescape(rest.slice(prefix.length)) };
  }
  if (rest.startsWith('/')) {
    const modes = [['//', 'all'], ['/#', 'start'], ['/%', 'end'], ['/', 'first']] as const;
    const [prefix, mode] = modes.find(([p]) => rest.startsWith(p))!;
    const parts = splitUnescaped(rest.slice(prefix.length), '/') ?? [rest.slice(prefix.length), ''];
    return { op: 'replace', name, mode, pattern: unescape(parts[0]), replacement: unescape(parts[1]) };
  }
  throw bad('is not a supported expression; use ${NAME}, ${NAME:=default} or ${NAME:-default}');
}

// Patterns of ${VAR#…}, ${VAR%…} and ${VAR/…/…} are globs (`*`, `?`, `[abc]`, `[!abc]`), matched
// by simulating all their positions at once over the value, never by a backtracking regular
// expression: a manifest line such as ${VAR//*a*a*a*a*b/x} must not take exponential time.
type GlobToken = { kind: 'star' } | { kind: 'any' } | { kind: 'char'; char: string } | { kind: 'class'; test: (c: string) => boolean };

function globTokens(pattern: string): GlobToken[] {
  const tokens: GlobToken[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') tokens.push({ kind: 'star' });
    else if (c === '?') tokens.push({ kind: 'any' });
    else if (c === '[' && pattern.indexOf(']', i + 1) >= 0) {
      const end = pattern.indexOf(']', i + 1);
      const body = pattern.slice(i + 1, end);
      let re: RegExp;
      try {
        // One class tests one character: linear whatever it holds.
        re = new RegExp(`^[${body.replace(/^!/, '^').replace(/\\/g, '\\\\')}]$`);
      } catch {
        throw new SubstitutionSyntaxError(`the pattern "${pattern}" has an invalid character class [${body}]`);
      }
      tokens.push({ kind: 'class', test: (ch) => re.test(ch) });
      i = end;
    } else tokens.push({ kind: 'char', char: c });
  }
  return tokens;
}

function matchesOne(token: GlobToken, c: string): boolean {
  return token.kind === 'any' || (token.kind === 'char' && token.char === c) || (token.kind === 'class' && token.test(c));
}

// A star may match nothing, so the position after it is reached too.
function close(active: Uint8Array, tokens: readonly GlobToken[]): void {
  for (let i = 0; i < tokens.length; i++) if (active[i] && tokens[i]!.kind === 'star') active[i + 1] = 1;
}

/** globEnds lists, ascending, every end e such that text[from, e) matches the whole pattern. */
function globEnds(tokens: readonly GlobToken[], text: string, from: number): number[] {
  const ends: number[] = [];
  let active = new Uint8Array(tokens.length + 1);
  active[0] = 1;
  close(active, tokens);
  if (active[tokens.length]) ends.push(from);
  for (let j = from; j < text.length; j++) {
    const next = new Uint8Array(tokens.length + 1);
    let alive = false;
    for (let i = 0; i < tokens.length; i++) {
      if (!active[i]) continue;
      const token = tokens[i]!;
      if (token.kind === 'star') {
        next[i] = 1;
        alive = true;
      } else if (matchesOne(token, text[j]!)) {
        next[i + 1] = 1;
        alive = true;
      }
    }
    if (!alive) break;
    close(next, tokens);
    active = next;
    if (active[tokens.length]) ends.push(j + 1);
  }
  return ends;
}

/** globStarts marks every position where some match of the pattern starts (one backward pass). */
function globStarts(tokens: readonly GlobToken[], text: string): Uint8Array {
  const reversed = [...tokens].reverse();
  const starts = new Uint8Array(text.length + 1);
  let active = new Uint8Array(reversed.length + 1);
  active[0] = 1;
  close(active, reversed);
  if (active[reversed.length]) starts[text.length] = 1;
  for (let j = text.length - 1; j >= 0; j--) {
    const next = new Uint8Array(reversed.length + 1);
    next[0] = 1;
    for (let i = 0; i < reversed.length; i++) {
      if (!active[i]) continue;
      const token = reversed[i]!;
      if (token.kind === 'star') next[i] = 1;
      else if (matchesOne(token, text[j]!)) next[i + 1] = 1;
    }
    close(next, reversed);
    active = next;
    if (active[reversed.length]) starts[j] = 1;
  }
  return starts;
}

function reverseText(text: string): string {
  return text.split('').reverse().join('');
}

function strip(value: string, pattern: string, from: 'start' | 'end', longest: boolean): string {
  const tokens = globTokens(pattern);
  const ends = from === 'start' ? globEnds(tokens, value, 0) : globEnds([...tokens].reverse(), reverseText(value), 0);
  if (ends.length === 0) return value;
  const n = longest ? ends[ends.length - 1]! : ends[0]!;
  return from === 'start' ? value.slice(n) : value.slice(0, value.length - n);
}

// A match is the longest one at the leftmost place where one starts, as a greedy expression's is.
function replace(value: string, pattern: string, replacement: string, mode: 'first' | 'all' | 'start' | 'end'): string {
  const tokens = globTokens(pattern);
  if (mode === 'start') {
    const ends = globEnds(tokens, value, 0);
    return ends.length ? replacement + value.slice(ends[ends.length - 1]!) : value;
  }
  if (mode === 'end') {
    const ends = globEnds([...tokens].reverse(), reverseText(value), 0);
    return ends.length ? value.slice(0, value.length - ends[ends.length - 1]!) + replacement : value;
  }
  if (pattern === '') return value;
  const starts = globStarts(tokens, value);
  let out = '';
  let pos = 0;
  while (pos <= value.length) {
    let at = pos;
    while (at <= value.length && !starts[at]) at++;
    if (at > value.length) break;
    const ends = globEnds(tokens, value, at);
    const end = ends[ends.length - 1]!;
    out += value.slice(pos, at) + replacement;
    if (end === at) {
      out += value.slice(at, at + 1);
      pos = at + 1;
    } else pos = end;
    if (mode === 'first') break;
  }
  return out + value.slice(pos);
}

interface Scope {
  lookup(name: string): string | undefined;
  used: Set<string>;
}

class UndefinedVariableError extends Error {
  constructor(readonly variable: string) {
    super(variable);
  }
}

function evaluate(nodes: Node[], scope: Scope): string {
  let out = '';
  for (const node of nodes) out += node.kind === 'text' ? node.text : evaluateExpr(node.expr, scope);
  return out;
}

function evaluateExpr(expr: Expr, scope: Scope): string {
  const value = scope.lookup(expr.name);
  if (expr.op === 'default') {
    if (value === undefined || (expr.ifEmpty && value === '')) return evaluate(expr.fallback, scope);
    scope.used.add(expr.name);
    return value;
  }
  if (value === undefined) throw new UndefinedVariableError(expr.name);
  scope.used.add(expr.name);
  switch (expr.op) {
    case 'value':
      return value;
    case 'length':
      return String([...value].length);
    case 'case': {
      const change = (s: string) => (expr.upper ? s.toUpperCase() : s.toLowerCase());
      return expr.all ? change(value) : change(value.slice(0, 1)) + value.slice(1);
    }
    case 'substring':
      return expr.length === undefined ? value.slice(expr.offset) : value.slice(expr.offset, expr.offset + expr.length);
    case 'strip':
      return strip(value, expr.pattern, expr.from, expr.longest);
    case 'replace':
      return replace(value, expr.pattern, expr.replacement, expr.mode);
  }
}

/**
 * substituteString expands one string. It returns the new text and the variables it used, or an
 * error message naming the variable that is undefined or the expression that is malformed.
 */
export function substituteString(
  text: string,
  variables: Readonly<Record<string, string>>,
): { ok: true; value: string; used: string[] } | { ok: false; code: 'RENDER_SUBSTITUTION_UNDEFINED' | 'RENDER_SUBSTITUTION_INVALID'; message: string; variable?: string } {
  if (!text.includes('$')) return { ok: true, value: text, used: [] };
  const scope: Scope = { lookup: (name) => (Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined), used: new Set() };
  try {
    return { ok: true, value: evaluate(parse(text), scope), used: [...scope.used] };
  } catch (error) {
    if (error instanceof UndefinedVariableError) {
      return { ok: false, code: 'RENDER_SUBSTITUTION_UNDEFINED', variable: error.variable, message: `variable ${error.variable} is not defined and has no default` };
    }
    if (error instanceof SubstitutionSyntaxError) return { ok: false, code: 'RENDER_SUBSTITUTION_INVALID', message: error.message };
    throw error;
  }
}

// ---- objects

/** isSubstitutionDisabled tells whether an object opted out with the annotation (or label) `…/substitute: disabled`. */
export function isSubstitutionDisabled(object: KubeObject): boolean {
  const { annotations = {}, labels = {} } = object.metadata;
  return substituteDisabledKeys.some((key) => annotations[key] === 'disabled' || labels[key] === 'disabled');
}

function printsPlain(text: string): boolean {
  if (text.includes('\n')) return false;
  const printed = stringify(text, { version: '1.1', lineWidth: 0 });
  return !/^["'|>]/.test(printed);
}

// What the re-parsed text of a plain scalar becomes in Flux: numbers, booleans and null change type.
function retype(text: string): unknown {
  if (text.includes('\n')) return text;
  const doc = parseDocument(text, { version: '1.1' });
  if (doc.errors.length || !isScalar(doc.contents)) return text;
  const value = doc.contents.value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return text;
}

/**
 * stringOnly tells whether the API only accepts strings at a path, where Flux's re-typing would
 * make an object the API server rejects (`data: {PORT: ${PORT}}` in a ConfigMap): metadata,
 * ConfigMap and Secret data, container env values, args and command. There the text stays a string.
 */
function stringOnly(object: KubeObject, path: readonly (string | number)[]): boolean {
  if (path[0] === 'metadata') return true;
  if ((object.kind === 'ConfigMap' || object.kind === 'Secret') && (path[0] === 'data' || path[0] === 'stringData' || path[0] === 'binaryData')) return true;
  const n = path.length;
  if (n >= 3 && path[n - 3] === 'env' && typeof path[n - 2] === 'number' && path[n - 1] === 'value') return true;
  if (n >= 2 && (path[n - 2] === 'args' || path[n - 2] === 'command') && typeof path[n - 1] === 'number') return true;
  return false;
}

function fieldName(path: readonly (string | number)[]): string {
  let out = '';
  for (const s of path) out += typeof s === 'number' ? `[${s}]` : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s) ? (out ? `.${s}` : s) : `[${JSON.stringify(s)}]`;
  return out;
}

/**
 * substituteObjects substitutes variables in every rendered object, returning new objects (the
 * inputs, which a build cache may share, are never changed) with a `substitution` provenance
 * entry on each field that changed. Every undefined variable and malformed expression of every
 * object is reported, each naming the object and field.
 */
export function substituteObjects(objects: readonly RenderedObject[], options: SubstituteOptions): Result<RenderedObject[]> {
  const issues: Issue[] = [];
  const out = objects.map((rendered) => {
    const result = substituteObject(rendered, options);
    if (!result.ok) {
      issues.push(...result.issues);
      return rendered;
    }
    return result.value;
  });
  return issues.length ? fail(...issues) : ok(out);
}

/** substituteObject substitutes one rendered object; it returns the same instance when nothing changed. */
export function substituteObject(rendered: RenderedObject, options: SubstituteOptions): Result<RenderedObject> {
  const { object } = rendered;
  if (isSubstitutionDisabled(object)) return ok(rendered);
  const ref = formatRef({ kind: object.kind, namespace: object.metadata?.namespace, name: object.metadata?.name });
  const issues: Issue[] = [];
  const changes: { path: (string | number)[]; used: string[] }[] = [];
  const prefix = options.context ? `${options.context}: ` : '';

  const sub = (text: string, path: (string | number)[]): string | undefined => {
    const result = substituteString(text, options.variables);
    if (!result.ok) {
      const known = Object.keys(options.variables).sort().join(', ');
      // The file that set the field is where the expression is written and can be fixed.
      const file = provenanceOf(rendered.provenance, pointerOf(path))?.file;
      const message = `${prefix}${ref}: ${fieldName(path)}: ${result.message}${result.code === 'RENDER_SUBSTITUTION_UNDEFINED' ? ` (defined: ${known})` : ''}${file ? `; the value is set in ${file}` : ''}`;
      issues.push(new FlotillaError(result.code, message, { object: { kind: object.kind, namespace: object.metadata?.namespace, name: object.metadata?.name }, field: fieldName(path), file }));
      return undefined;
    }
    if (result.value === text) return undefined;
    changes.push({ path, used: result.used });
    return result.value;
  };

  const walk = (value: unknown, path: (string | number)[]): unknown => {
    if (typeof value === 'string') {
      const replaced = sub(value, path);
      if (replaced === undefined) return value;
      return printsPlain(value) && !stringOnly(object, path) ? retype(replaced) : replaced;
    }
    if (Array.isArray(value)) {
      let changed = false;
      const next = value.map((item, i) => {
        const v = walk(item, [...path, i]);
        if (v !== item) changed = true;
        return v;
      });
      return changed ? next : value;
    }
    if (value && typeof value === 'object') {
      let changed = false;
      const next: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const newKey = key.includes('$') ? (sub(key, [...path, key]) ?? key) : key;
        const v = walk(item, [...path, newKey]);
        if (v !== item || newKey !== key) changed = true;
        if (Object.prototype.hasOwnProperty.call(next, newKey)) {
          issues.push(new FlotillaError('RENDER_SUBSTITUTION_INVALID', `${prefix}${ref}: ${fieldName([...path, newKey])}: two keys become "${newKey}" after substitution`));
        }
        next[newKey] = v;
      }
      return changed ? next : value;
    }
    return value;
  };

  const next = walk(object, []) as KubeObject;
  if (issues.length) return fail(...issues);
  if (next === object) return ok(rendered);
  const provenance = new Map(rendered.provenance);
  for (const { path, used } of changes) {
    const pointer = pointerOf(path);
    for (const key of [...provenance.keys()]) if (key.startsWith(pointer + '/')) provenance.delete(key);
    provenance.set(pointer, provenanceFor(used, options.sources ?? {}, provenanceOf(rendered.provenance, pointer)));
  }
  return ok({ object: next, provenance });
}

function provenanceFor(used: string[], sources: Readonly<Record<string, ProvenanceEntry>>, before: ProvenanceEntry | undefined): ProvenanceEntry {
  const known = used.map((name) => ({ name, source: sources[name] })).filter((u) => u.source);
  if (known.length === 0) {
    // Only defaults written in the manifest itself (or variables without a recorded source) applied.
    return { file: before?.file ?? '', layer: 'substitution', step: used.length ? used.map((n) => '${' + n + '}').join(', ') : 'default' };
  }
  const first = known[0]!.source!;
  const steps = known.map((u) => `\${${u.name}} from ${u.source!.file === first.file ? '' : `${u.source!.file} `}${u.source!.step ?? ''}`.trim());
  return { file: first.file, layer: 'substitution', step: steps.join(', ') };
}
