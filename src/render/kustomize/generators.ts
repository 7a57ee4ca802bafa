import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import type { KubeObject } from '../../manifest/index.js';
import type { ProvenanceEntry } from '../types.js';
import { absorbGenerated } from './accumulate.js';
import type { GeneratorArgs, GeneratorOptions, Kustomization, SecretGeneratorArgs } from './kustomization.js';
import type { DirLoader } from './loader.js';
import { recordProvenance, type Resource } from './resource.js';

/** GeneratorContext is what the generators of one kustomization read through. */
export interface GeneratorContext {
  loader: DirLoader;
  /** The kustomization file, as messages name it. */
  file: string;
}

/**
 * runGenerators runs a kustomization's configMapGenerator entries, then its secretGenerator
 * entries, as kustomize does, and absorbs each generated object into the accumulated resources
 * by its behavior: create adds it (an error if the id exists), merge and replace change the one
 * existing object with that kind, name and namespace (an error when there is none).
 */
export function runGenerators(resources: Resource[], k: Kustomization, ctx: GeneratorContext): Result<Resource[]> {
  let current = resources;
  type Entry = [field: 'configMapGenerator' | 'secretGenerator', args: GeneratorArgs | SecretGeneratorArgs, index: number];
  const entries: Entry[] = [
    ...(k.configMapGenerator ?? []).map((a, i): Entry => ['configMapGenerator', a, i]),
    ...(k.secretGenerator ?? []).map((a, i): Entry => ['secretGenerator', a, i]),
  ];
  for (const [field, args, index] of entries) {
    const step = `${field}[${index}]`;
    const made = generate(field === 'secretGenerator' ? 'Secret' : 'ConfigMap', args, mergeOptions(args.options, k.generatorOptions), ctx, step);
    if (!made.ok) return made;
    const absorbed = absorbGenerated(current, made.value, ctx.file, step);
    if (!absorbed.ok) return absorbed;
    current = absorbed.value;
  }
  return ok(current);
}

/**
 * mergeOptions folds the kustomization's generatorOptions into one generator's own options:
 * the generator's labels and annotations win, and either level can disable the hash suffix or
 * make the object immutable (kustomize's MergeGlobalOptionsIntoLocal).
 */
export function mergeOptions(local: GeneratorOptions | undefined, global: GeneratorOptions | undefined): GeneratorOptions {
  if (!global) return local ?? {};
  const out: GeneratorOptions = { ...local };
  out.labels = { ...global.labels, ...local?.labels };
  out.annotations = { ...global.annotations, ...local?.annotations };
  if (global.disableNameSuffixHash) out.disableNameSuffixHash = true;
  if (global.immutable) out.immutable = true;
  return out;
}

function generate(
  kind: 'ConfigMap' | 'Secret',
  args: GeneratorArgs | SecretGeneratorArgs,
  options: GeneratorOptions,
  ctx: GeneratorContext,
  step: string,
): Result<Resource> {
  const { file } = ctx;
  const invalid = (field: string, message: string) => fail<Resource>(new FlotillaError('RENDER_GENERATOR_INVALID', `${file}: ${step}${field}: ${message}`, { file, field: `${step}${field}` }));
  if (!args.name) return invalid('.name', `a ${kind} generator needs a name`);
  const pairs = loadPairs(args, ctx, step);
  if (!pairs.ok) return pairs;
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  const dataSource: Record<string, string> = {};
  for (const pair of pairs.value) {
    const keyProblem = configMapKeyProblem(pair.key);
    if (keyProblem) return invalid(pair.field, `${JSON.stringify(pair.key)} is not a valid ${kind} key: ${keyProblem}`);
    if (pair.key in data || pair.key in binaryData) return invalid(pair.field, `${kind} ${args.name} repeats the key ${JSON.stringify(pair.key)}`);
    dataSource[pair.key] = pair.field;
    if (kind === 'Secret') data[pair.key] = wrappedBase64(pair.value);
    else if (pair.text !== undefined) data[pair.key] = pair.text;
    else binaryData[pair.key] = wrappedBase64(pair.value);
  }
  const metadata: KubeObject['metadata'] = { name: args.name };
  if (args.namespace) metadata.namespace = args.namespace;
  if (options.labels && Object.keys(options.labels).length > 0) metadata.labels = { ...options.labels };
  if (options.annotations && Object.keys(options.annotations).length > 0) metadata.annotations = { ...options.annotations };
  const object: KubeObject = { apiVersion: 'v1', kind, metadata };
  if (Object.keys(data).length > 0) object.data = sortedRecord(data);
  if (Object.keys(binaryData).length > 0) object.binaryData = sortedRecord(binaryData);
  if (kind === 'Secret') object.type = (args as SecretGeneratorArgs).type || 'Opaque';
  if (options.immutable) object.immutable = true;
  const entry: ProvenanceEntry = { file, layer: 'generator', step };
  const resource: Resource = {
    object,
    provenance: new Map([['', entry]]),
    history: [],
    origin: file,
    generator: { kind, behavior: args.behavior ?? 'create', hash: !options.disableNameSuffixHash, file, step },
  };
  for (const [key, field] of Object.entries(dataSource)) {
    recordProvenance(resource, [key in data ? 'data' : 'binaryData', key], { file, layer: 'generator', step: `${step}${field}` });
  }
  return ok(resource);
}

interface Pair {
  key: string;
  value: Uint8Array;
  /** The value as text, when it is valid UTF-8. */
  text?: string;
  /** Where the pair came from, e.g. `.literals[2]`. */
  field: string;
}

const encoder = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function textPair(key: string, text: string, field: string): Pair {
  return { key, value: encoder.encode(text), text, field };
}

// kustomize reads env files first, then literals, then files (api/kv).
function loadPairs(args: GeneratorArgs, ctx: GeneratorContext, step: string): Result<Pair[]> {
  const { file, loader } = ctx;
  const out: Pair[] = [];
  const invalid = (field: string, message: string) => fail<Pair[]>(new FlotillaError('RENDER_GENERATOR_INVALID', `${file}: ${step}${field}: ${message}`, { file, field: `${step}${field}` }));
  for (const [i, envFile] of (args.envs ?? []).entries()) {
    const field = `.envs[${i}]`;
    const text = loader.readText(envFile, file, `${step}${field}`);
    if (!text.ok) return text;
    const lines = text.value.replace(/^\ufeff/, '').split('\n');
    for (let n = 0; n < lines.length; n++) {
      const line = lines[n]!.replace(/\r$/, '').replace(/^\s+/, '');
      if (line === '' || line.startsWith('#')) continue;
      const eq = line.indexOf('=');
      const key = eq < 0 ? line : line.slice(0, eq);
      if (!/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(key)) {
        return invalid(field, `${envFile} line ${n + 1}: ${JSON.stringify(key)} is not a valid environment variable name`);
      }
      out.push(textPair(key, eq < 0 ? '' : line.slice(eq + 1), `${field} (${envFile} line ${n + 1})`));
    }
  }
  for (const [i, literal] of (args.literals ?? []).entries()) {
    const field = `.literals[${i}]`;
    const eq = literal.indexOf('=');
    if (eq <= 0) return invalid(field, `invalid literal source ${JSON.stringify(literal)}, expected key=value`);
    out.push(textPair(literal.slice(0, eq), removeQuotes(literal.slice(eq + 1)), field));
  }
  for (const [i, source] of (args.files ?? []).entries()) {
    const field = `.files[${i}]`;
    const parts = source.split('=');
    let key: string;
    let path: string;
    if (parts.length === 1) {
      path = source;
      key = source.slice(source.lastIndexOf('/') + 1);
    } else if (parts.length === 2) {
      [key, path] = parts as [string, string];
      if (key === '') return invalid(field, `missing key name for file path ${JSON.stringify(path)} in ${JSON.stringify(source)}`);
      if (path === '') return invalid(field, `missing file path for key name ${JSON.stringify(key)} in ${JSON.stringify(source)}`);
    } else {
      return invalid(field, `key names or file paths cannot contain '=' (${JSON.stringify(source)})`);
    }
    const bytes = loader.readBytes(path, file, `${step}${field}`);
    if (!bytes.ok) return bytes;
    let text: string | undefined;
    try {
      text = strictUtf8.decode(bytes.value);
    } catch {
      text = undefined;
    }
    out.push({ key, value: bytes.value, text, field });
  }
  return ok(out);
}

// Quotes around a literal's value are dropped only when the same quote opens and closes it.
function removeQuotes(s: string): string {
  if (s.length >= 2 && s[0] === s[s.length - 1] && (s[0] === '"' || s[0] === "'")) return s.slice(1, -1);
  return s;
}

function configMapKeyProblem(key: string): string | undefined {
  if (key.length > 253) return 'longer than 253 characters';
  if (key === '.' || key === '..') return 'may not be "." or ".."';
  if (!/^[-._a-zA-Z0-9]+$/.test(key)) return "only letters, digits, '-', '_' and '.' are allowed";
  return undefined;
}

/** wrappedBase64 encodes as kyaml does for Secret data: lines of 70 characters, each ending in a newline once there is more than one line. */
export function wrappedBase64(bytes: Uint8Array): string {
  const encoded = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const lineLen = 70;
  const lines = Math.floor(encoded.length / lineLen) + 1;
  if (lines <= 1) return encoded;
  let out = '';
  for (let i = 0; i < encoded.length; i += lineLen) out += encoded.slice(i, i + lineLen) + '\n';
  return out;
}

function sortedRecord(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(r).sort()) out[key] = r[key]!;
  return out;
}
