import { RE2JS } from 're2js';
import { parse as parseYaml } from 'yaml';
import { FlotillaError, fail, formatRef, ok, type Result } from '../../../core/index.js';
import { matchesLabelSelector, parseLabelSelector, type LabelSelector } from '../../patch/index.js';
import type { Kustomization, PatchTarget, ReplacementEntry, ReplacementOptions, ReplacementTarget } from '../kustomization.js';
import { recordProvenance, type Resource } from '../resource.js';
import type { StepContext } from '../step.js';
import { allIds, idNamespace, refOf, transformerEntry, type ResId } from './resource-ids.js';

/**
 * splitReplacementPath splits a replacement fieldPath as kustomize's SmarterPathSplitter does:
 * on dots, except escaped ones (`\.`) and those inside brackets (`[name=a.b]`); brackets without
 * `=` are dropped, so `metadata.annotations.[example.com/x]` names one annotation.
 */
export function splitReplacementPath(path: string): string[] {
  const raw: string[] = [];
  for (const part of path.split('.')) {
    const last = raw.length - 1;
    if (last >= 0 && raw[last]!.endsWith('\\')) raw[last] = raw[last]!.slice(0, -1) + '.' + part;
    else raw.push(part);
  }
  const joined: string[] = [];
  for (let i = 0; i < raw.length; i++) {
    const part = raw[i]!;
    if (part.startsWith('[') && !part.endsWith(']')) {
      const bracketed = [part];
      while (i < raw.length - 1) {
        i++;
        bracketed.push(raw[i]!);
        if (raw[i]!.endsWith(']')) break;
      }
      joined.push(bracketed.join('.'));
    } else joined.push(part);
  }
  return joined.map((p) => (p.startsWith('[') && p.endsWith(']') && !p.includes('=') ? p.slice(1, -1) : p));
}

type PathPart =
  | { type: 'field'; name: string }
  | { type: 'match'; field: string; value: string }
  | { type: 'index'; index: number }
  | { type: 'wildcard' };

function parsePart(part: string): PathPart {
  if (part.startsWith('[') && part.endsWith(']') && part.includes('=')) {
    const eq = part.indexOf('=');
    return { type: 'match', field: part.slice(1, eq), value: part.slice(eq + 1, -1) };
  }
  if (/^\d+$/.test(part)) return { type: 'index', index: Number(part) };
  if (part === '*') return { type: 'wildcard' };
  return { type: 'field', name: part };
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/** scalarText is the text of a scalar as kustomize's YAML nodes hold it. */
function scalarText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return '';
  return String(value);
}

/**
 * resolveScalar gives the type a plain YAML scalar of this text has when kustomize prints it
 * (a field the replacement created has no type of its own): null, booleans, integers (also hex
 * and leading-zero octal), floats, or else a string.
 */
export function resolveScalar(text: string): unknown {
  if (text === '' || text === '~' || text === 'null' || text === 'Null' || text === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^[-+]?0x[0-9a-fA-F]+$/.test(text)) return Number.parseInt(text.replace('0x', ''), 16) * (text.startsWith('-') ? -1 : 1);
  if (/^[-+]?0o[0-7]+$/.test(text)) return Number.parseInt(text.replace(/0o/, ''), 8);
  if (/^[-+]?0[0-7]+$/.test(text)) return Number.parseInt(text, 8);
  if (/^[-+]?(0|[1-9][0-9]*)$/.test(text)) return Number(text);
  if (/^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(text)) return Number(text);
  return text;
}

const createdScalar = Symbol('created scalar');

interface Ref {
  path: (string | number)[];
  get(): unknown;
  set(value: unknown): void;
}

function lookupSource(root: unknown, parts: string[]): unknown {
  let node = root;
  for (const raw of parts) {
    const part = parsePart(raw);
    if (part.type === 'field' || part.type === 'wildcard') {
      const name = part.type === 'field' ? part.name : '*';
      if (!isMap(node)) return undefined;
      node = node[name];
    } else if (part.type === 'index') {
      if (!Array.isArray(node)) return undefined;
      node = node[part.index];
    } else {
      if (!Array.isArray(node)) return undefined;
      node = node.find((e) => (part.field === '' ? scalarText(e) === part.value && isScalar(e) : isMap(e) && scalarText(e[part.field]) === part.value && e[part.field] !== undefined));
    }
    if (node === undefined) return undefined;
  }
  return node;
}

function isNilOrEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isMap(value)) return Object.keys(value).length === 0;
  return false;
}

// Go regular expressions, matched in linear time (re2js): a backtracking RegExp could hang on a
// pattern such as (a+)+b.
function anchored(pattern: string): (text: string) => boolean {
  try {
    const re = RE2JS.compile(`^(?:${pattern})$`);
    return (text) => re.matches(text);
  } catch {
    return (text) => text === pattern;
  }
}

function placeholderFor(next: PathPart | undefined, valueKind: 'scalar' | 'map' | 'seq'): unknown {
  if (next === undefined) return valueKind === 'map' ? {} : valueKind === 'seq' ? [] : createdScalar;
  if (next.type === 'match' || next.type === 'index') return [];
  return {};
}

function findTargets(ref: Ref, parts: PathPart[], create: 'scalar' | 'map' | 'seq' | undefined, out: Ref[]): string | undefined {
  if (parts.length === 0) {
    out.push(ref);
    return undefined;
  }
  const node = ref.get();
  const [part, ...rest] = parts as [PathPart, ...PathPart[]];
  const child = (container: Record<string, unknown> | unknown[], key: string | number): Ref => ({
    path: [...ref.path, key],
    get: () => (container as Record<string | number, unknown>)[key],
    set: (v) => ((container as Record<string | number, unknown>)[key] = v),
  });
  switch (part.type) {
    case 'field': {
      if (!isMap(node)) return undefined;
      if (node[part.name] === undefined || (node[part.name] === null && create)) {
        if (!create) return undefined;
        node[part.name] = placeholderFor(rest[0], create);
      }
      return findTargets(child(node, part.name), rest, create, out);
    }
    case 'index': {
      if (!Array.isArray(node)) return undefined;
      if (part.index < node.length) return findTargets(child(node, part.index), rest, create, out);
      if (!create) return undefined;
      if (part.index > node.length) return `index ${part.index} specified but only ${node.length} elements found`;
      node.push(placeholderFor(rest[0], create));
      return findTargets(child(node, part.index), rest, create, out);
    }
    case 'wildcard': {
      if (!Array.isArray(node)) return isMap(node) ? 'wrong node kind: expected a list but got a map' : undefined;
      for (let i = 0; i < node.length; i++) {
        const problem = findTargets(child(node, i), rest, create, out);
        if (problem) return problem;
      }
      return undefined;
    }
    case 'match': {
      if (!Array.isArray(node)) return undefined;
      const test = anchored(part.value);
      let matched = false;
      for (let i = 0; i < node.length; i++) {
        const element = node[i];
        const hit = part.field === '' ? isScalar(element) && element !== null && test(scalarText(element)) : isMap(element) && element[part.field] !== undefined && isScalar(element[part.field]) && test(scalarText(element[part.field]));
        if (!hit) continue;
        matched = true;
        const problem = findTargets(child(node, i), rest, create, out);
        if (problem) return problem;
      }
      if (matched || !create) return undefined;
      if (part.field === '') node.push(rest.length === 0 ? createdScalar : placeholderFor(rest[0], create));
      else node.push({ [part.field]: part.value });
      return findTargets(child(node, node.length - 1), rest, create, out);
    }
  }
}

function valueKind(value: unknown): 'scalar' | 'map' | 'seq' {
  return Array.isArray(value) ? 'seq' : isMap(value) ? 'map' : 'scalar';
}

/**
 * setTarget writes the replacement value into one target field as kustomize's setFieldValue does.
 * A scalar target keeps its own type and takes the value's text (a string field stays a string; a
 * number or boolean field must receive text of that type); a field the replacement just created
 * gets the type the text reads as; a map or list target is replaced by a copy of the value. With
 * a delimiter, only the index-th segment of the target's text is replaced (a negative index
 * prepends, one past the end appends).
 */
function setTarget(ref: Ref, value: unknown, options: ReplacementOptions | undefined): string | undefined {
  const target = ref.get();
  let text = scalarText(value);
  if (options?.delimiter) {
    if (!isScalar(target) && target !== createdScalar) return 'delimiter option can only be used with scalar nodes';
    const segments = (target === createdScalar ? '' : scalarText(target)).split(options.delimiter);
    const index = options.index ?? 0;
    if (index < 0) segments.unshift(text);
    else if (index >= segments.length) segments.push(text);
    else segments[index] = text;
    text = segments.join(options.delimiter);
    value = text;
  }
  let next: unknown;
  if (target === createdScalar) next = resolveScalar(text);
  else if (isScalar(target)) {
    if (typeof target === 'string') next = text;
    else {
      const resolved = resolveScalar(text);
      const want = target === null ? 'null' : typeof target;
      const got = resolved === null ? 'null' : typeof resolved;
      if (want !== got) return `cannot write "${text}" into ${ref.path.join('.')}, which holds a ${want}`;
      next = resolved;
    }
  } else next = structuredClone(value);
  // Kustomize writes every annotation back as a string when it finishes a build.
  if (ref.path[0] === 'metadata' && ref.path[1] === 'annotations' && ref.path.length === 3 && next !== null && isScalar(next)) next = String(next);
  ref.set(next);
  return undefined;
}

/** ResIdSelector is the id part of a selector: group, version, kind, name and namespace, each optional. */
type ResIdSelector = Pick<PatchTarget, 'group' | 'version' | 'kind' | 'name' | 'namespace'>;

function isEmptyId(s: ResIdSelector): boolean {
  return !s.group && !s.version && !s.kind && !s.name && !s.namespace;
}

/**
 * idSelectedBy is kustomize's ResId.IsSelectedBy: exact name, effective namespace (`default` for
 * none), and group/version/kind where the selector sets them. Unlike patch targets, replacement
 * selectors are not regular expressions.
 */
function idSelectedBy(id: ResId, selector: ResIdSelector): boolean {
  if (selector.name && selector.name !== id.name) return false;
  if (selector.namespace) {
    const selectorNs = idNamespace({ group: selector.group ?? '', version: selector.version ?? '', kind: selector.kind ?? '', name: '', namespace: selector.namespace });
    if (selectorNs !== idNamespace(id)) return false;
  }
  if (selector.group && selector.group !== id.group) return false;
  if (selector.version && selector.version !== id.version) return false;
  if (selector.kind && selector.kind !== id.kind) return false;
  return true;
}

function describeSelector(s: ResIdSelector): string {
  const kind = s.kind ?? '(any kind)';
  const gv = [s.group, s.version].filter(Boolean).join('/');
  return `${kind}${gv ? ` (${gv})` : ''}${s.namespace ? ` in namespace ${s.namespace}` : ''}${s.name ? ` named "${s.name}"` : ''}`;
}

interface LoadedReplacement {
  replacement: ReplacementEntry;
  /** The file that holds it, and where in that file. */
  file: string;
  field: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * loadReplacements resolves `replacements:` entries, reading the ones given by `path` (a file
 * holding one replacement or a list of them) through ctx.readText, so the load restrictor applies.
 */
export function loadReplacements(kustomization: Kustomization, ctx: StepContext): Result<LoadedReplacement[]> {
  const out: LoadedReplacement[] = [];
  for (const [i, entry] of (kustomization.replacements ?? []).entries()) {
    const field = `replacements[${i}]`;
    if (!entry.path) {
      out.push({ replacement: entry, file: ctx.file, field });
      continue;
    }
    if (entry.source || entry.targets) {
      return fail(new FlotillaError('RENDER_TRANSFORMER_INVALID', `${ctx.file}: ${field}: give either path or an inline source and targets, not both`, { file: ctx.file, field }));
    }
    const text = ctx.readText(entry.path, `${field}.path`);
    if (!text.ok) return text;
    const file = ctx.displayPath(entry.path);
    let doc: unknown;
    try {
      doc = parseYaml(text.value, { maxAliasCount: 100 });
    } catch (error) {
      return fail(new FlotillaError('YAML_PARSE', `${file}: ${(error as Error).message.split('\n')[0]}`, { file }));
    }
    const list = Array.isArray(doc) ? doc : isRecord(doc) ? [doc] : undefined;
    if (!list) {
      return fail(new FlotillaError('RENDER_TRANSFORMER_INVALID', `${file}: a replacements file must hold one replacement or a list of them`, { file, field: `${field}.path` }));
    }
    list.forEach((replacement, j) => out.push({ replacement: replacement as ReplacementEntry, file, field: Array.isArray(doc) ? `[${j}]` : '' }));
  }
  return ok(out);
}

function compileSelector(selector: PatchTarget, where: { file: string; field: string }): Result<{ labels?: LabelSelector; annotations?: LabelSelector }> {
  const out: { labels?: LabelSelector; annotations?: LabelSelector } = {};
  if (selector.labelSelector) {
    const parsed = parseLabelSelector(selector.labelSelector, { file: where.file, field: `${where.field}.labelSelector` });
    if (!parsed.ok) return parsed;
    out.labels = parsed.value;
  }
  if (selector.annotationSelector) {
    const parsed = parseLabelSelector(selector.annotationSelector, { file: where.file, field: `${where.field}.annotationSelector` });
    if (!parsed.ok) return parsed;
    out.annotations = parsed.value;
  }
  return ok(out);
}

function matchesMetadataSelectors(resource: Resource, compiled: { labels?: LabelSelector; annotations?: LabelSelector }): boolean {
  const { metadata } = resource.object;
  if (compiled.labels && !matchesLabelSelector(compiled.labels, metadata.labels)) return false;
  if (compiled.annotations && !matchesLabelSelector(compiled.annotations, metadata.annotations)) return false;
  return true;
}

function targetResources(resources: Resource[], target: ReplacementTarget, where: { file: string; field: string }): Result<Resource[]> {
  const select = target.select!;
  const selectCompiled = compileSelector(select, { ...where, field: `${where.field}.select` });
  if (!selectCompiled.ok) return selectCompiled;
  const rejects: { id: ResIdSelector; compiled: { labels?: LabelSelector; annotations?: LabelSelector } }[] = [];
  for (const [i, reject] of (target.reject ?? []).entries()) {
    const compiled = compileSelector(reject, { ...where, field: `${where.field}.reject[${i}]` });
    if (!compiled.ok) return compiled;
    rejects.push({ id: reject, compiled: compiled.value });
  }
  return ok(
    resources.filter((resource) => {
      if (!matchesMetadataSelectors(resource, selectCompiled.value)) return false;
      // A reject with a label or annotation selector rejects what it matches, whatever its id fields say.
      for (const reject of rejects) {
        if ((reject.compiled.labels || reject.compiled.annotations) && matchesMetadataSelectors(resource, reject.compiled)) return false;
      }
      const ids = allIds(resource);
      if (!ids.some((id) => idSelectedBy(id, select))) return false;
      return !rejects.some((reject) => !isEmptyId(reject.id) && ids.some((id) => idSelectedBy(id, reject.id)));
    }),
  );
}

/**
 * replacementsStep is kustomize v5.7.1's ReplacementTransformer. Replacements run in order, each
 * seeing the result of the previous ones:
 *
 * - the source is the one resource whose current or any previous id matches the source's group,
 *   version, kind, name and namespace exactly (none is RENDER_REPLACEMENT_SOURCE_NOT_FOUND, more
 *   than one an error); its fieldPath (default metadata.name) must hold a value, and with
 *   options.delimiter the index-th segment of it is taken;
 * - targets are the resources matched by `select` (ids exact as for the source, plus label and
 *   annotation selectors) and by no `reject`; in each, every fieldPath must reach at least one
 *   field (an error otherwise), unless options.create adds the missing fields;
 * - field paths are dotted, with `\.` for a dot in a key, `[key.with.dots]`, `[name=value]` for
 *   the list elements whose `name` matches the (anchored, regular-expression) value, `[=value]`
 *   for scalar list elements, a number for an index (one past the end creates an element) and
 *   `*` for every element of a list;
 * - `path:` entries read a file of replacements (one or a list).
 */
export function replacementsStep(resources: Resource[], kustomization: Kustomization, ctx: StepContext): Result<Resource[]> {
  if (!kustomization.replacements?.length) return ok(resources);
  const loaded = loadReplacements(kustomization, ctx);
  if (!loaded.ok) return loaded;
  for (const { replacement, file, field } of loaded.value) {
    const at = (sub: string) => [field, sub].filter(Boolean).join('.');
    const invalid = (sub: string, message: string, hint?: string) =>
      fail(new FlotillaError('RENDER_TRANSFORMER_INVALID', `${file}: ${at(sub)}: ${message}`, { file, field: at(sub), ...(hint ? { hint } : {}) }));
    if (!isRecord(replacement as unknown) || !replacement.source || !replacement.targets) return invalid('', 'a replacement needs a source and at least one target');
    const source = replacement.source;
    const sources = resources.filter((r) => allIds(r).some((id) => idSelectedBy(id, source)));
    if (sources.length === 0) {
      return fail(
        new FlotillaError('RENDER_REPLACEMENT_SOURCE_NOT_FOUND', `${file}: ${at('source')}: no resource is ${describeSelector(source)}`, {
          file,
          field: at('source'),
        }),
      );
    }
    if (sources.length > 1) {
      return invalid('source', `${describeSelector(source)} selects ${sources.length} resources (${sources.map((r) => formatRef(refOf(r.object))).join(', ')}); a source must select one`, 'Add the namespace, group or version to the source selector.');
    }
    const fieldPath = source.fieldPath || 'metadata.name';
    let value = lookupSource(sources[0]!.object, splitReplacementPath(fieldPath));
    if (isNilOrEmpty(value)) {
      return fail(
        new FlotillaError('RENDER_REPLACEMENT_SOURCE_NOT_FOUND', `${file}: ${at('source.fieldPath')}: ${formatRef(refOf(sources[0]!.object))} has no value at ${fieldPath}`, {
          file,
          field: at('source.fieldPath'),
        }),
      );
    }
    if (source.options?.delimiter) {
      if (!isScalar(value)) return invalid('source.options', 'the delimiter option can only be used with a scalar source field');
      const segments = scalarText(value).split(source.options.delimiter);
      const index = source.options.index ?? 0;
      if (index < 0 || index >= segments.length) return invalid('source.options.index', `index ${index} is out of bounds for "${scalarText(value)}" split by "${source.options.delimiter}"`);
      value = segments[index];
    }
    const entry = transformerEntry(file, at('') || field || 'replacements');
    for (const [t, target] of replacement.targets.entries()) {
      const targetField = `targets[${t}]`;
      if (!isRecord(target as unknown) || !target.select) return invalid(targetField, 'a target must say which resources to select');
      const selected = targetResources(resources, target, { file, field: at(targetField) });
      if (!selected.ok) return selected;
      const create = target.options?.create ? valueKind(value) : undefined;
      for (const resource of selected.value) {
        for (const [p, path] of (target.fieldPaths?.length ? target.fieldPaths : ['metadata.name']).entries()) {
          const parts = splitReplacementPath(path).map(parsePart);
          const refs: Ref[] = [];
          const root: Ref = { path: [], get: () => resource.object, set: () => undefined };
          const problem = findTargets(root, parts, create, refs);
          const fail_ = (why: string) =>
            fail(
              new FlotillaError('RENDER_TRANSFORMER_INVALID', `${file}: ${at(`${targetField}.fieldPaths[${p}]`)}: ${formatRef(refOf(resource.object))}: ${why}`, {
                file,
                field: at(`${targetField}.fieldPaths[${p}]`),
                object: refOf(resource.object),
                hint: 'Fix the field path, or set options.create: true to add the field.',
              }),
            );
          if (problem) return fail_(`unable to ${create ? 'find or create' : 'find'} field "${path}": ${problem}`);
          if (refs.length === 0) return fail_(`unable to ${create ? 'find or create' : 'find'} field "${path}"`);
          for (const ref of refs) {
            const setProblem = setTarget(ref, value, target.options);
            if (setProblem) return fail_(setProblem);
            recordProvenance(resource, ref.path, entry);
          }
        }
      }
    }
  }
  return ok(resources);
}
