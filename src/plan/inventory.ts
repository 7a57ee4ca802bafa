import { FlotillaError, fail, formatRef, ok, type Result } from '../core/index.js';
import { orderForDelete, type KubeObject } from '../manifest/index.js';

// The inventory of a target is the list of objects the last successful sync applied, stored in the
// cluster itself (SPEC §6) so that a new hub, or an agent, knows what to prune without any state of
// its own. Format of ConfigMap `flotilla-inv-<release>` in `flotilla-system`, data keys:
//
//   format       `flotilla.dev/inventory/v1`; a reader refuses a format it does not know
//   release      the release name
//   revision     the revision the objects were rendered from (a commit id)
//   contentHash  the hash of the rendered content, when the writer had one (absent otherwise)
//   objects      one object per line, sorted by API group, kind, namespace and name, each line a
//                JSON array `["apps/v1","Deployment","shop","api"]` (apiVersion, kind, namespace
//                with "" for cluster-scoped, name)
//
// One line per object keeps `kubectl get cm -o yaml` readable and diffs of the ConfigMap small; JSON
// strings keep any name readable back (some kinds allow `:`, `_` or spaces in names). The sort makes
// the encoding of the same inventory byte-identical, so an unchanged sync writes nothing.

/** inventoryNamespace is where every inventory ConfigMap lives. */
export const inventoryNamespace = 'flotilla-system';

/** inventoryFormat is the value of the `format` data key this version writes and reads. */
export const inventoryFormat = 'flotilla.dev/inventory/v1';

/** releaseLabel is the label every applied object carries: `flotilla.dev/release=<release>`. */
export const releaseLabel = 'flotilla.dev/release';

/** pruneAnnotation set to `disabled` keeps an object when it leaves the desired state. */
export const pruneAnnotation = 'flotilla.dev/prune';

/** inventoryLabel marks inventory ConfigMaps with the release they belong to, for listing them all. */
export const inventoryLabel = 'flotilla.dev/inventory';

/**
 * maxInventoryBytes is the most an encoded inventory may hold: a ConfigMap's data is limited to
 * 1 MiB; a little is kept free for metadata.
 */
export const maxInventoryBytes = 1024 * 1024 - 16 * 1024;

/** InventoryRef names one object of an inventory, with its apiVersion (group and version). */
export interface InventoryRef {
  apiVersion: string;
  kind: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

/** Inventory is what the last successful sync of a target applied (SPEC §6). */
export interface Inventory {
  release: string;
  revision: string;
  contentHash?: string;
  /** Sorted by inventoryKey, without duplicates. */
  objects: InventoryRef[];
}

/** inventoryName is the name of a release's inventory ConfigMap. */
export function inventoryName(release: string): string {
  return `flotilla-inv-${release}`;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash >= 0 ? apiVersion.slice(0, slash) : '';
}

/**
 * inventoryKey is an object's identity for pruning: API group, kind, namespace and name. The version
 * is left out on purpose: moving a manifest from `v1beta1` to `v1` of the same group is the same
 * object, and must not delete it.
 */
export function inventoryKey(ref: InventoryRef): string {
  return JSON.stringify([groupOf(ref.apiVersion), ref.kind, ref.namespace ?? '', ref.name]);
}

/** inventoryRefOf names a manifest as an inventory entry. */
export function inventoryRefOf(object: KubeObject): InventoryRef {
  const namespace = object.metadata?.namespace;
  return { apiVersion: object.apiVersion, kind: object.kind, ...(namespace ? { namespace } : {}), name: object.metadata.name };
}

function isInventoryRef(value: KubeObject | InventoryRef): value is InventoryRef {
  return typeof (value as InventoryRef).name === 'string' && (value as KubeObject).metadata === undefined;
}

function refOf(value: KubeObject | InventoryRef): InventoryRef {
  return isInventoryRef(value) ? value : inventoryRefOf(value);
}

/** sortRefs orders references by inventoryKey and drops duplicates (the last apiVersion wins). */
function sortRefs(refs: readonly InventoryRef[]): InventoryRef[] {
  const byKey = new Map<string, InventoryRef>();
  for (const ref of refs) byKey.set(inventoryKey(ref), ref);
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, ref]) => ref);
}

/**
 * newInventory builds the inventory of a sync from the objects it applied (manifests or references);
 * namespaces must already be set on namespaced objects (the release's default namespace applied).
 */
export function newInventory(input: { release: string; revision: string; contentHash?: string; objects: readonly (KubeObject | InventoryRef)[] }): Inventory {
  return {
    release: input.release,
    revision: input.revision,
    ...(input.contentHash ? { contentHash: input.contentHash } : {}),
    objects: sortRefs(input.objects.map(refOf)),
  };
}

/**
 * encodeInventory renders an inventory as its ConfigMap (format above), ready to apply. The same
 * inventory always encodes to the same bytes. An inventory too large for one ConfigMap fails with
 * INVENTORY_TOO_LARGE.
 */
export function encodeInventory(inventory: Inventory): Result<KubeObject> {
  const objects = sortRefs(inventory.objects)
    .map((r) => JSON.stringify([r.apiVersion, r.kind, r.namespace ?? '', r.name]))
    .join('\n');
  const data: Record<string, string> = {
    format: inventoryFormat,
    release: inventory.release,
    revision: inventory.revision,
    ...(inventory.contentHash ? { contentHash: inventory.contentHash } : {}),
    objects: objects ? objects + '\n' : '',
  };
  const bytes = Object.entries(data).reduce((n, [k, v]) => n + new TextEncoder().encode(k + v).length, 0);
  const name = inventoryName(inventory.release);
  if (bytes > maxInventoryBytes) {
    return fail(
      new FlotillaError('INVENTORY_TOO_LARGE', `release ${inventory.release}: the inventory of ${inventory.objects.length} objects takes ${bytes} bytes, more than the ${maxInventoryBytes} one ConfigMap holds`, {
        object: { kind: 'ConfigMap', namespace: inventoryNamespace, name },
      }),
    );
  }
  return ok({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: inventoryNamespace,
      labels: { 'app.kubernetes.io/managed-by': 'flotilla', [inventoryLabel]: inventory.release },
    },
    data,
  });
}

/**
 * decodeInventory reads an inventory ConfigMap as the cluster returns it. It is tolerant where it can
 * be without risk (Windows line ends, blank lines, duplicate lines, a missing `format`, `release` or
 * `revision` key: an older or hand-edited ConfigMap) and strict where a mistake could delete the
 * wrong object: every line must name an object exactly, else the whole inventory is refused with one
 * INVENTORY_INVALID issue per bad line, so that nothing is pruned from a list that cannot be trusted.
 * `release`, when given, must match the ConfigMap.
 */
export function decodeInventory(configMap: unknown, expected: { release?: string } = {}): Result<Inventory> {
  const fallbackName = expected.release ? inventoryName(expected.release) : 'flotilla-inv-?';
  const where = (name: string) => ({ object: { kind: 'ConfigMap', namespace: inventoryNamespace, name } });
  const invalid = (name: string, message: string) => new FlotillaError('INVENTORY_INVALID', `inventory ConfigMap ${inventoryNamespace}/${name}: ${message}`, where(name));

  if (configMap === null || typeof configMap !== 'object' || Array.isArray(configMap)) return fail(invalid(fallbackName, 'is not an object'));
  const cm = configMap as { kind?: unknown; metadata?: { name?: unknown }; data?: unknown };
  const name = typeof cm.metadata?.name === 'string' ? cm.metadata.name : fallbackName;
  if (cm.kind !== undefined && cm.kind !== 'ConfigMap') return fail(invalid(name, `is a ${String(cm.kind)}, not a ConfigMap`));
  const data = cm.data ?? {};
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return fail(invalid(name, 'has no data map'));
  const fields = data as Record<string, unknown>;
  for (const key of ['format', 'release', 'revision', 'contentHash', 'objects']) {
    if (fields[key] !== undefined && typeof fields[key] !== 'string') return fail(invalid(name, `data.${key} is not a string`));
  }
  const text = (key: string) => fields[key] as string | undefined;

  const format = text('format');
  if (format !== undefined && format !== inventoryFormat) {
    return fail(invalid(name, `data.format is "${format}", which this version of Flotilla does not read (it reads "${inventoryFormat}"); a newer Flotilla wrote it`));
  }
  const release = text('release') ?? (name.startsWith('flotilla-inv-') ? name.slice('flotilla-inv-'.length) : undefined);
  if (!release) return fail(invalid(name, 'names no release (data.release is missing)'));
  if (expected.release !== undefined && release !== expected.release) {
    return fail(invalid(name, `belongs to release "${release}", not "${expected.release}"`));
  }

  const issues: FlotillaError[] = [];
  const refs: InventoryRef[] = [];
  (text('objects') ?? '').split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const ref = parseLine(line.trim());
    if (typeof ref === 'string') issues.push(invalid(name, `data.objects line ${i + 1}: ${ref}: ${line.length > 120 ? line.slice(0, 120) + '…' : line}`));
    else refs.push(ref);
  });
  if (issues.length) return fail(...issues);
  const contentHash = text('contentHash');
  return ok({ release, revision: text('revision') ?? '', ...(contentHash ? { contentHash } : {}), objects: sortRefs(refs) });
}

/** parseLine reads one `objects` line; a string result says what is wrong with it. */
function parseLine(line: string): InventoryRef | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return 'not a JSON array';
  }
  if (!Array.isArray(value) || value.length !== 4 || !value.every((v) => typeof v === 'string')) {
    return 'expected ["apiVersion", "kind", "namespace", "name"]';
  }
  const [apiVersion, kind, namespace, name] = value as string[];
  if (!apiVersion || !kind || !name) return 'apiVersion, kind and name must not be empty';
  return { apiVersion, kind, ...(namespace ? { namespace } : {}), name };
}

/** PruneKeepReason says why an object that left the desired state is not deleted. */
export type PruneKeepReason = 'not-found' | 'label-removed' | 'other-release' | 'prune-disabled' | 'release-prune-off';

/** PruneKeep is an object that left the desired state but stays in the cluster, and why. */
export interface PruneKeep {
  ref: InventoryRef;
  reason: PruneKeepReason;
  /** The reason for people, naming the object through formatRef. */
  message: string;
}

/** PruneBlockReason says why nothing at all is pruned. */
export type PruneBlockReason = 'render-failed' | 'empty-desired';

/** PrunePlan is what a sync deletes after applying, as data. */
export interface PrunePlan {
  /** In delete order (orderForDelete): custom resources first, Namespaces and CRDs last. */
  delete: InventoryRef[];
  /** Objects of the previous inventory, gone from the desired state, that stay, each with its reason. */
  keep: PruneKeep[];
  /** Set when nothing is pruned at all; `keep` is then empty, and the previous inventory must be kept as it is. */
  blocked?: { reason: PruneBlockReason; message: string };
}

/** PruneInput is what planPrune decides from; the caller reads the cluster, planPrune does not. */
export interface PruneInput {
  release: string;
  /** The inventory read from the cluster before this sync; undefined when there is none yet. */
  previous: Inventory | undefined;
  /** The desired objects of this sync, namespaces set (the release's default namespace applied). */
  desired: readonly (KubeObject | InventoryRef)[];
  /** The render of this target failed: its desired state is unknown. */
  renderFailed: boolean;
  /** The release's `allowEmpty`: an empty desired state really means "delete everything". */
  allowEmpty: boolean;
  /** The release's `prune`. @default true */
  prune?: boolean;
  /** The live object for a reference, undefined when it does not exist. */
  live: (ref: InventoryRef) => KubeObject | undefined;
}

/**
 * planPrune decides which objects a sync deletes (SPEC §6). An object is deleted only when it is in
 * the previous inventory, absent from the desired state, still exists, is still labelled
 * `flotilla.dev/release=<release>` (an object whose label was removed or handed to another release
 * is no longer ours), and is not annotated `flotilla.dev/prune: disabled`. Nothing is deleted after
 * a failed render (the desired state is unknown, not empty), nor when the desired state is empty
 * while the inventory is not, unless `allowEmpty` says that is intended: an empty render is far more
 * often a broken path or selector than a wish to delete a whole release.
 *
 * The next inventory is the desired set: kept objects leave it, as in Flux, because they are not
 * Flotilla's to manage any more. When the plan is blocked the previous inventory stays as it is.
 */
export function planPrune(input: PruneInput): PrunePlan {
  const previous = input.previous;
  if (input.renderFailed) {
    return { delete: [], keep: [], blocked: { reason: 'render-failed', message: `release ${input.release}: the render failed, so nothing is pruned` } };
  }
  // No inventory yet (a first sync, or one deleted by hand): nothing is known to be ours.
  if (!previous) return { delete: [], keep: [] };
  if (input.desired.length === 0 && previous.objects.length > 0 && !input.allowEmpty) {
    return {
      delete: [],
      keep: [],
      blocked: {
        reason: 'empty-desired',
        message: `release ${input.release}: the release renders no objects while its inventory lists ${previous.objects.length}; nothing is pruned (set allowEmpty: true to delete them all)`,
      },
    };
  }

  const desiredKeys = new Set(input.desired.map((d) => inventoryKey(refOf(d))));
  const candidates = previous.objects.filter((ref) => !desiredKeys.has(inventoryKey(ref)));
  const toDelete: InventoryRef[] = [];
  const keep: PruneKeep[] = [];
  for (const ref of candidates) {
    const name = formatRef(ref);
    if (input.prune === false) {
      keep.push({ ref, reason: 'release-prune-off', message: `${name} left the release but is kept: the release has prune: false` });
      continue;
    }
    const live = input.live(ref);
    if (!live) {
      keep.push({ ref, reason: 'not-found', message: `${name} left the release and is already gone from the cluster` });
      continue;
    }
    const owner = live.metadata?.labels?.[releaseLabel];
    if (owner === undefined) {
      keep.push({ ref, reason: 'label-removed', message: `${name} left the release but is kept: it no longer carries the label ${releaseLabel}=${input.release}` });
      continue;
    }
    if (owner !== input.release) {
      keep.push({ ref, reason: 'other-release', message: `${name} left the release but is kept: it is labelled for release ${owner} now` });
      continue;
    }
    if (live.metadata?.annotations?.[pruneAnnotation] === 'disabled') {
      keep.push({ ref, reason: 'prune-disabled', message: `${name} left the release but is kept: it is annotated ${pruneAnnotation}: disabled` });
      continue;
    }
    toDelete.push(ref);
  }
  return { delete: orderForDelete(toDelete).map((e) => e.object), keep };
}
