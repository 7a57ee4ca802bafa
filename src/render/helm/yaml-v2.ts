// Helm reads values files, and the manifests its templates print, through sigs.k8s.io/yaml: go-yaml
// v2's YAML 1.1 resolution, then JSON. So `on`, `yes` and `y` are booleans (as keys too: a key `n`
// becomes "false"), `0755` is octal, `0o17`, `0x1F`, `0b101` and `1_000` are numbers, but dates
// and `1:20` stay strings (go-yaml v2 keeps timestamps as text for interface{} targets and never
// reads base 60), and `.inf` / `.nan` cannot become JSON, so helm rejects them. These are the
// yaml package's YAML 1.1 tags with the timestamp and base-60 ones left out and `0o` octal added;
// the behaviours were checked against helm 4.1 (`kindOf` of each value).
import { isMap, isSeq, parseAllDocuments, type Document, type ScalarTag, type Tags } from 'yaml';
import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import { maxYamlAliases, maxYamlBytes, maxYamlDepth, yamlAliasCycle, yamlCollectionKey, yamlNestingProblem, yamlTextProblem } from '../../manifest/index.js';

const goOctal: ScalarTag = {
  identify: () => false,
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^[-+]?0o[0-7_]+$/,
  resolve: (text: string) => {
    const sign = text.startsWith('-') ? -1 : 1;
    return sign * parseInt(text.replace(/^[-+]?0o/, '').replace(/_/g, ''), 8);
  },
};

function goV2Tags(tags: Tags): Tags {
  const kept = tags.filter((tag) => {
    const t = tag as ScalarTag;
    return t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME';
  });
  return [goOctal, ...kept];
}

/** HelmYamlDocument is one document of a YAML stream as helm reads it, with the comment above it. */
export interface HelmYamlDocument {
  value: unknown;
  /** The comment lines before the document (helm prints `# Source: CHART/templates/FILE` there). */
  comment: string;
}

/**
 * parseHelmYaml parses a YAML stream the way helm (sigs.k8s.io/yaml over go-yaml v2) reads it,
 * with the same limits as the manifest reader: a size cap, an alias budget and a depth limit.
 * Empty documents are dropped. Infinite and NaN numbers are errors, as they are for helm.
 * With `strings`, every scalar stays text: what Go gets when it decodes into string fields (a
 * repository index's digests and versions, which YAML 1.1 would turn into numbers).
 */
export function parseHelmYaml(text: string, file: string, maxBytes = maxYamlBytes, options: { strings?: boolean } = {}): Result<HelmYamlDocument[]> {
  if (text.length > maxBytes) {
    return fail(new FlotillaError('FILE_TOO_LARGE', `${file}: ${text.length} bytes is more than the ${maxBytes}-byte limit for a YAML file`, { file }));
  }
  const notText = yamlTextProblem(text, file) ?? yamlNestingProblem(text, file);
  if (notText) return fail(notText);
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, options.strings ? { prettyErrors: true, strict: false, schema: 'failsafe' } : { prettyErrors: true, strict: false, version: '1.1', merge: true, customTags: goV2Tags }) as Document.Parsed[];
  } catch (error) {
    return fail(new FlotillaError('YAML_PARSE', `${file}: ${(error as Error).message}`, { file, cause: error }));
  }
  if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
  const out: HelmYamlDocument[] = [];
  for (const [index, doc] of docs.entries()) {
    const error = doc.errors[0];
    if (error) {
      const where = error.linePos?.[0] ? ` (line ${error.linePos[0].line}, column ${error.linePos[0].col})` : '';
      return fail(new FlotillaError('YAML_PARSE', `${file}: invalid YAML${where}: ${error.message.split('\n')[0]}`, { file }));
    }
    if (tooDeep(doc.contents, 0)) {
      return fail(new FlotillaError('YAML_PARSE', `${file}: document ${index + 1} nests deeper than ${maxYamlDepth} levels`, { file }));
    }
    const badKey = yamlCollectionKey(doc.contents);
    if (badKey !== undefined) {
      return fail(new FlotillaError('YAML_PARSE', `${file}: line ${text.slice(0, badKey).split('\n').length}: a map key is itself a map or a list; keys are strings`, { file }));
    }
    const cycle = yamlAliasCycle(doc.contents);
    if (cycle !== undefined) {
      return fail(new FlotillaError('YAML_ALIAS_LIMIT', `${file}: document ${index + 1}: the alias *${cycle} refers to the node that holds it, so the document never ends`, { file }));
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: maxYamlAliases });
    } catch (error) {
      const message = (error as Error).message;
      const code = /Excessive alias count/i.test(message) ? 'YAML_ALIAS_LIMIT' : 'YAML_PARSE';
      return fail(new FlotillaError(code, `${file}: document ${index + 1}: ${message}`, { file, cause: error }));
    }
    const bad = nonFinite(value, '');
    if (bad !== undefined) {
      return fail(new FlotillaError('YAML_PARSE', `${file}: ${bad || 'the document'} is infinite or not a number, which helm cannot read (JSON has no such numbers)`, { file }));
    }
    if (value === null || value === undefined) continue;
    // A comment right after `---` belongs to the first node for the yaml package; helm means the document.
    const first = (doc.contents as { commentBefore?: string | null } | null)?.commentBefore;
    out.push({ value, comment: [doc.commentBefore, first].filter(Boolean).join('\n') });
  }
  return ok(out);
}

function tooDeep(node: unknown, depth: number): boolean {
  if (depth > maxYamlDepth) return true;
  if (isMap(node)) return node.items.some((pair) => tooDeep(pair.key, depth + 1) || tooDeep(pair.value, depth + 1));
  if (isSeq(node)) return node.items.some((item) => tooDeep(item, depth + 1));
  return false;
}

function nonFinite(value: unknown, path: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : path;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nonFinite(item, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = nonFinite(item, path ? `${path}.${key}` : key);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
