import { posix } from 'node:path';
import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import { parseYamlStream } from '../../manifest/index.js';
import type { RenderFs } from '../fs.js';
import type { BuildOutput, RenderedObject } from '../types.js';
import { appendResources } from './accumulate.js';
import { createBuildCache, type Accumulation, type BuildCache, type LoadedKustomization } from './cache.js';
import { runGenerators } from './generators.js';
import { generatedNameHash } from './hash.js';
import type { Kustomization } from './kustomization.js';
import { DirLoader, decodeText, kustomizationFileNames, readLimited, type LoaderSession } from './loader.js';
import { finishConfig, fixReferences, inheritConfig, runTransformers } from './pipeline.js';
import { parseResources } from './read-resources.js';
import { cloneJson, cloneResource, recordProvenance, type Resource } from './resource.js';
import { decodeKustomization } from './schema.js';
import { sortResources } from './sort.js';
import type { StepContext } from './step.js';

/** BuildOptions configure one kustomize-compatible build. */
export interface BuildOptions {
  fs: RenderFs;
  /**
   * A cache shared by several builds (createBuildCache()), so that bases shared by many overlays
   * are read, parsed and built once. Without it, each build reads everything itself.
   */
  cache?: BuildCache;
  /**
   * The repository root. File names in messages and provenance are relative to it, and no
   * kustomization directory may lie outside it. @default the build directory (names relative to
   * it; bases may be anywhere, as with kustomize)
   */
  root?: string;
}

interface Session extends LoaderSession {
  cache: BuildCache;
  /** Whether the cache outlives this build (then its entries are copied on use). */
  shared: boolean;
  keyPrefix: string;
}

/** buildKustomization builds DIR as `kustomize build DIR` would. */
export function buildKustomization(dir: string, options: BuildOptions): Result<BuildOutput> {
  const start = posix.normalize(dir);
  const root = options.root ? posix.normalize(options.root) : undefined;
  const session: Session = {
    fs: options.fs,
    displayRoot: root ?? start,
    allowedRoot: root ? options.fs.realpath(root) : undefined,
    cache: options.cache ?? createBuildCache(),
    shared: options.cache !== undefined,
    keyPrefix: `${root ?? start}\u0000`,
  };
  const opened = DirLoader.open(session, start);
  if (!opened.ok) return opened;
  const loader = opened.value;
  const loaded = loadKustomization(session, loader);
  if (!loaded.ok) return loaded;
  // The top directory is built, not cached: overlays at the top are rarely shared, and caching
  // them would cost a copy of every resource.
  const accumulated = accumulateTarget(session, loader, loaded.value, { resources: [], config: undefined });
  if (!accumulated.ok) return accumulated;
  return finish(accumulated.value, loaded.value, loader);
}

// The steps kustomize runs once, at the top, after the whole tree is accumulated
// (MakeCustomizedResMap): hash suffixes, then name references, then the output order.
function finish(acc: Accumulation, top: LoadedKustomization, loader: DirLoader): Result<BuildOutput> {
  const resources = acc.resources;
  for (const r of resources) {
    if (!r.generator?.hash) continue;
    const { metadata } = r.object;
    r.history.push({ kind: r.object.kind, namespace: metadata.namespace, name: metadata.name });
    metadata.name = `${metadata.name}-${generatedNameHash(r.object)}`;
    recordProvenance(r, ['metadata', 'name'], { file: r.generator.file, layer: 'generator', step: `${r.generator.step} (content hash suffix)` });
  }
  const fixed = fixReferences(resources, acc.config, stepContext(loader, top, acc.config));
  if (!fixed.ok) return fixed;
  const sorted = sortResources(fixed.value, top.kustomization.sortOptions);
  const objects: RenderedObject[] = sorted.map((r) => ({ object: r.object, provenance: r.provenance }));
  return ok({ objects });
}

/** stepContext is what the steps of one kustomization see. */
function stepContext(loader: DirLoader, loaded: LoadedKustomization, config: unknown): StepContext {
  return {
    file: loaded.file,
    dir: loader.dir,
    readText: (rel, field) => loader.readText(rel, loaded.file, field),
    displayPath: (rel) => loader.display(rel),
    config,
  };
}

function loadKustomization(session: Session, loader: DirLoader): Result<LoadedKustomization> {
  const key = session.keyPrefix + loader.real;
  const cached = session.cache.kustomizations.get(key);
  if (cached) return cached;
  const result = readKustomization(session, loader);
  session.cache.kustomizations.set(key, result);
  return result;
}

function readKustomization(session: Session, loader: DirLoader): Result<LoadedKustomization> {
  const present = kustomizationFileNames.filter((name) => loader.stat(name)?.kind === 'file');
  const dirName = loader.display();
  if (present.length === 0) {
    return fail(
      new FlotillaError('RENDER_KUSTOMIZATION_NOT_FOUND', `${dirName}: no kustomization file (one of ${kustomizationFileNames.join(', ')}) in the directory`, { file: dirName }),
    );
  }
  if (present.length > 1) {
    return fail(
      new FlotillaError('RENDER_KUSTOMIZATION_INVALID', `${dirName}: found several kustomization files (${present.join(', ')}); keep one`, { file: dirName }),
    );
  }
  const name = present[0]!;
  const file = loader.display(name);
  const path = posix.join(loader.dir, name);
  const bytes = readLimited(session.fs, path, file);
  if (!bytes.ok) return bytes;
  const text = decodeText(bytes.value, file);
  if (!text.ok) return text;
  // kustomize decodes kustomization files with go-yaml v2, which reads YAML 1.1.
  const docs = parseYamlStream(text.value, { file, schema: 'yaml-1.1' });
  if (!docs.ok) return fail(...docs.issues.map((i) => new FlotillaError(i.code === 'YAML_PARSE' ? 'RENDER_KUSTOMIZATION_INVALID' : i.code, i.message, { file, hint: 'Fix the YAML syntax of the kustomization file.' })));
  if (docs.value.length > 1) {
    return fail(new FlotillaError('RENDER_KUSTOMIZATION_INVALID', `${file}: holds ${docs.value.length} YAML documents; a kustomization file holds one`, { file }));
  }
  const decoded = decodeKustomization(docs.value[0]?.value, file);
  if (!decoded.ok) return decoded;
  const unsupported = unsupportedField(decoded.value);
  if (unsupported) {
    return fail(
      new FlotillaError('RENDER_UNSUPPORTED', `${file}: ${unsupported.field}: ${unsupported.why}`, {
        file,
        field: unsupported.field,
      }),
    );
  }
  return ok({ kustomization: decoded.value, file });
}

function unsupportedField(k: Kustomization): { field: string; why: string } | undefined {
  const nonEmpty = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && Object.keys(v as object).length === 0);
  const k2 = k as Kustomization & Record<string, unknown>;
  const table: [string, string][] = [
    ['generators', 'generator plugins run external code; Flotilla builds only the built-in generators'],
    ['transformers', 'transformer plugins run external code; Flotilla builds only the built-in transformers'],
    ['validators', 'validator plugins run external code and are not supported'],
    ['helmCharts', 'Helm inflation inside kustomize is not supported; use a Flotilla helm release'],
    ['helmChartInflationGenerator', 'Helm inflation inside kustomize is not supported; use a Flotilla helm release'],
    ['helmGlobals', 'Helm inflation inside kustomize is not supported; use a Flotilla helm release'],
    ['vars', 'vars are deprecated in kustomize and not supported; use replacements'],
    ['buildMetadata', 'buildMetadata (origin and transformer annotations) is not supported'],
    ['openapi', 'a custom OpenAPI schema for strategic merge is not supported'],
  ];
  for (const [field, why] of table) if (nonEmpty(k2[field])) return { field, why };
  return undefined;
}

// A directory reached as a resource (not a component) builds the same whatever includes it, so
// its result is cached by real path and copied out on every use.
function buildDirectory(session: Session, loader: DirLoader, loaded: LoadedKustomization): Result<Accumulation> {
  if (!session.shared) return accumulateTarget(session, loader, loaded, { resources: [], config: undefined });
  const key = session.keyPrefix + loader.real;
  const cache = session.cache;
  let result = cache.directories.get(key);
  if (result) {
    cache.stats.directoryHits++;
  } else {
    cache.stats.directoryBuilds++;
    result = accumulateTarget(session, loader, loaded, { resources: [], config: undefined });
    cache.directories.set(key, result);
  }
  if (!result.ok) return result;
  return ok({ resources: result.value.resources.map(cloneResource), config: result.value.config });
}

const remotePattern = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|git::|github\.com\/|gitlab\.com\/|bitbucket\.org\/)|\?ref=|\.git(?:\/\/|$)/i;

/**
 * accumulateTarget builds one kustomization over `acc` (empty for a kustomization, the parent's
 * accumulation for a component): its resources, then its components, then its generators, then
 * its transformers, then drops objects marked as local configuration (kustomize's accumulateTarget).
 */
function accumulateTarget(session: Session, loader: DirLoader, loaded: LoadedKustomization, acc: Accumulation): Result<Accumulation> {
  const { kustomization: k, file } = loaded;
  let resources = acc.resources;
  const childConfigs: unknown[] = acc.config === undefined ? [] : [acc.config];
  for (const [i, entry] of (k.resources ?? []).entries()) {
    const field = `resources[${i}]`;
    const stat = loader.stat(entry);
    if (!stat) {
      if (remotePattern.test(entry)) {
        return fail(
          new FlotillaError('RENDER_UNSUPPORTED', `${file}: ${field}: ${JSON.stringify(entry)} is a remote resource; Flotilla builds only what is in the repository`, {
            file,
            field,
          }),
        );
      }
      return fail(new FlotillaError('RENDER_RESOURCE_NOT_FOUND', `${file}: ${field}: ${JSON.stringify(entry)} does not exist (${loader.display(entry)})`, { file, field }));
    }
    if (stat.kind === 'file') {
      const read = readResourceFile(session, loader, entry, file, field);
      if (!read.ok) return read;
      const appended = appendResources(resources, read.value, file, field);
      if (!appended.ok) return appended;
      resources = appended.value;
      continue;
    }
    const sub = loader.sub(entry, file, field);
    if (!sub.ok) return sub;
    const child = loadKustomization(session, sub.value);
    if (!child.ok) return child;
    if (child.value.kustomization.kind === 'Component') {
      return fail(
        new FlotillaError('RENDER_COMPONENT_AS_RESOURCE', `${file}: ${field}: ${JSON.stringify(entry)} is a Component; list it under components, not resources`, {
          file,
          field,
        }),
      );
    }
    const built = buildDirectory(session, sub.value, child.value);
    if (!built.ok) return built;
    const appended = appendResources(resources, built.value.resources, file, field);
    if (!appended.ok) return appended;
    resources = appended.value;
    if (built.value.config !== undefined) childConfigs.push(built.value.config);
  }
  const inherited = inheritConfig(childConfigs);
  if (!inherited.ok) return inherited;
  let current: Accumulation = { resources, config: inherited.value };
  for (const [i, entry] of (k.components ?? []).entries()) {
    const field = `components[${i}]`;
    if (!loader.stat(entry) && remotePattern.test(entry)) {
      return fail(new FlotillaError('RENDER_UNSUPPORTED', `${file}: ${field}: ${JSON.stringify(entry)} is a remote component; Flotilla builds only what is in the repository`, { file, field }));
    }
    const sub = loader.sub(entry, file, field);
    if (!sub.ok) return sub;
    const component = loadKustomization(session, sub.value);
    if (!component.ok) return component;
    if (component.value.kustomization.kind !== 'Component') {
      return fail(
        new FlotillaError('RENDER_KUSTOMIZATION_INVALID', `${file}: ${field}: ${JSON.stringify(entry)} is a ${component.value.kustomization.kind ?? 'Kustomization'}, not a Component; list it under resources`, {
          file,
          field,
          hint: 'A components entry must be a directory whose kustomization has kind: Component (apiVersion kustomize.config.k8s.io/v1alpha1).',
        }),
      );
    }
    const applied = accumulateTarget(session, sub.value, component.value, current);
    if (!applied.ok) return applied;
    current = applied.value;
  }
  const config = finishConfig(k, stepContext(loader, loaded, current.config), current.config);
  if (!config.ok) return config;
  const ctx = stepContext(loader, loaded, config.value);
  const generated = runGenerators(current.resources, k, { loader, file });
  if (!generated.ok) return generated;
  const transformed = runTransformers(generated.value, k, ctx);
  if (!transformed.ok) return transformed;
  const kept = transformed.value.filter((r) => r.object.metadata.annotations?.['config.kubernetes.io/local-config'] !== 'true');
  return ok({ resources: kept, config: config.value });
}

function readResourceFile(session: Session, loader: DirLoader, entry: string, file: string, field: string): Result<Resource[]> {
  const real = loader.resolveFile(entry, file, field);
  if (!real.ok) return real;
  const display = loader.display(entry);
  const key = session.keyPrefix + real.value;
  let parsed = session.shared ? session.cache.files.get(key) : undefined;
  const fresh = !parsed;
  if (parsed) {
    session.cache.stats.fileHits++;
  } else {
    session.cache.stats.fileReads++;
    const bytes = readLimited(session.fs, real.value, display, field);
    const text = bytes.ok ? decodeText(bytes.value, display) : bytes;
    parsed = text.ok ? parseResources(text.value, display) : text;
    if (session.shared) session.cache.files.set(key, parsed);
  }
  if (!parsed.ok) {
    return fail(...parsed.issues.map((i) => new FlotillaError(i.code, `${file}: ${field}: ${i.message}`, { file: i.file ?? display, field, hint: i.hint })));
  }
  const many = parsed.value.length > 1;
  return ok(
    parsed.value.map((p) => {
      const step = many ? (p.item === undefined ? `document ${p.document + 1}` : `document ${p.document + 1}, item ${p.item + 1}`) : undefined;
      return {
        // A parse shared through the cache is copied; a fresh one that nothing else holds is used as is.
        object: fresh && !session.shared ? p.object : cloneJson(p.object),
        provenance: new Map([['', step ? { file: display, layer: 'resource' as const, step } : { file: display, layer: 'resource' as const }]]),
        history: [],
        origin: display,
      };
    }),
  );
}
