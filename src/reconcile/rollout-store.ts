import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlotillaError } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import type { RolloutState } from '../rollout/index.js';

// Where a rollout driver keeps what must survive a restart (SPEC §7): per release, the rollout
// state and every target's pin, and the rendered objects of the revisions targets are pinned to.
// Snapshots are stored by content hash, apart from the record: the record changes at every step of
// a rollout and stays small, while a snapshot is written once and read back only after a restart.

/** PinnedContent is one revision of one target: its name and the hash of its rendered content. */
export interface PinnedContent {
  revision: string;
  /** contentHash of the prepared objects (reconcile's contentHash); absent when that render failed. */
  contentHash?: string;
}

/** TargetPin is what one target (this release on one cluster) is pinned to, and what was last healthy there. */
export interface TargetPin extends PinnedContent {
  /** The last revision that was healthy on the cluster: what a rollback returns to. */
  lastHealthy?: PinnedContent;
}

/** RolloutRecord is everything a driver keeps for one release. Plain JSON. */
export interface RolloutRecord {
  release: string;
  /** The running rollout, or the last one (final); absent before the release's first rollout. */
  rollout?: RolloutState;
  /** The content hash of every target of `rollout` at the rollout's revision, by cluster (absent: its render failed). */
  rolloutHashes?: Record<string, string>;
  /** Every target's pin, by cluster. A target without a pin is not synced until its wave reaches it. */
  pins: Record<string, TargetPin>;
}

/**
 * RolloutStore is the driver's persistence port. The in-memory and JSON-file stores below fit it;
 * the hub's SQLite store can too (a record per release, a snapshot per content hash). Every method
 * throws a FlotillaError (ROLLOUT_STORE_FAILED) when it cannot do its job.
 */
export interface RolloutStore {
  /** load reads one release's record. */
  load(release: string): Promise<RolloutRecord | undefined>;
  /** list reads every record (a restarted hub serves its rollouts before the first fetch). */
  list(): Promise<RolloutRecord[]>;
  /** save replaces one release's record. */
  save(release: string, record: RolloutRecord): Promise<void>;
  /** loadSnapshot reads the rendered objects of a release with this content hash. */
  loadSnapshot(release: string, contentHash: string): Promise<KubeObject[] | undefined>;
  /** saveSnapshot stores rendered objects under their content hash (the same hash, the same objects). */
  saveSnapshot(release: string, contentHash: string, objects: readonly KubeObject[]): Promise<void>;
  /** keepSnapshots deletes the release's snapshots whose hash is not in `keep`. */
  keepSnapshots(release: string, keep: readonly string[]): Promise<void>;
}

/** MemoryRolloutStore keeps records and snapshots in memory (tests; a hub without --data). */
export class MemoryRolloutStore implements RolloutStore {
  private readonly records = new Map<string, string>();
  private readonly snapshots = new Map<string, Map<string, string>>();
  /** Counts of writes, for tests that check what a restart writes. */
  readonly writes = { records: 0, snapshots: 0 };

  async load(release: string): Promise<RolloutRecord | undefined> {
    const text = this.records.get(release);
    return text === undefined ? undefined : (JSON.parse(text) as RolloutRecord);
  }

  async list(): Promise<RolloutRecord[]> {
    return [...this.records.keys()].sort().map((r) => JSON.parse(this.records.get(r)!) as RolloutRecord);
  }

  async save(release: string, record: RolloutRecord): Promise<void> {
    this.writes.records++;
    this.records.set(release, JSON.stringify(record));
  }

  async loadSnapshot(release: string, contentHash: string): Promise<KubeObject[] | undefined> {
    const text = this.snapshots.get(release)?.get(contentHash);
    return text === undefined ? undefined : (JSON.parse(text) as KubeObject[]);
  }

  async saveSnapshot(release: string, contentHash: string, objects: readonly KubeObject[]): Promise<void> {
    const byHash = this.snapshots.get(release) ?? new Map<string, string>();
    if (byHash.has(contentHash)) return;
    this.writes.snapshots++;
    byHash.set(contentHash, JSON.stringify(objects));
    this.snapshots.set(release, byHash);
  }

  async keepSnapshots(release: string, keep: readonly string[]): Promise<void> {
    const byHash = this.snapshots.get(release);
    if (!byHash) return;
    const wanted = new Set(keep);
    for (const hash of [...byHash.keys()]) if (!wanted.has(hash)) byHash.delete(hash);
  }

  /** snapshotHashes lists the stored snapshots of a release (for tests of the bound). */
  snapshotHashes(release: string): string[] {
    return [...(this.snapshots.get(release)?.keys() ?? [])].sort();
  }
}

// Release names are DNS labels in a valid fleet; the encoding only guards against a path escape.
const fileName = (name: string) => encodeURIComponent(name).replace(/\./g, '%2E');
const hashFile = (contentHash: string) => `${contentHash.replace(/^sha256:/, '').replace(/[^a-zA-Z0-9]/g, '_')}.json`;

/**
 * JsonFileRolloutStore keeps records and snapshots as JSON files under one directory:
 * `records/<release>.json` and `snapshots/<release>/<hash>.json`. Each file is written to a
 * temporary name first and renamed, so a crash leaves the old file or the new one, never half.
 */
export class JsonFileRolloutStore implements RolloutStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  private fail(what: string, path: string, error: unknown): never {
    throw new FlotillaError('ROLLOUT_STORE_FAILED', `rollout store: cannot ${what} ${path}: ${(error as Error).message}`, { file: path, cause: error });
  }

  private readJson<T>(path: string): T | undefined {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      this.fail('read', path, error);
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      this.fail('parse', path, error);
    }
  }

  private writeJson(dir: string, name: string, value: unknown): void {
    const path = join(dir, name);
    const temporary = join(dir, `.${name}.${process.pid}.tmp`);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(temporary, JSON.stringify(value));
      renameSync(temporary, path);
    } catch (error) {
      this.fail('write', path, error);
    }
  }

  async load(release: string): Promise<RolloutRecord | undefined> {
    return this.readJson<RolloutRecord>(join(this.dir, 'records', `${fileName(release)}.json`));
  }

  async list(): Promise<RolloutRecord[]> {
    const dir = join(this.dir, 'records');
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      this.fail('list', dir, error);
    }
    return names
      .sort()
      .map((n) => this.readJson<RolloutRecord>(join(dir, n)))
      .filter((r): r is RolloutRecord => r !== undefined);
  }

  async save(release: string, record: RolloutRecord): Promise<void> {
    this.writeJson(join(this.dir, 'records'), `${fileName(release)}.json`, record);
  }

  async loadSnapshot(release: string, contentHash: string): Promise<KubeObject[] | undefined> {
    return this.readJson<KubeObject[]>(join(this.dir, 'snapshots', fileName(release), hashFile(contentHash)));
  }

  async saveSnapshot(release: string, contentHash: string, objects: readonly KubeObject[]): Promise<void> {
    const dir = join(this.dir, 'snapshots', fileName(release));
    if (existsSync(join(dir, hashFile(contentHash)))) return;
    this.writeJson(dir, hashFile(contentHash), objects);
  }

  async keepSnapshots(release: string, keep: readonly string[]): Promise<void> {
    const dir = join(this.dir, 'snapshots', fileName(release));
    const wanted = new Set(keep.map(hashFile));
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      this.fail('list', dir, error);
    }
    for (const name of names) {
      if (name.startsWith('.') || wanted.has(name)) continue;
      try {
        rmSync(join(dir, name), { force: true });
      } catch (error) {
        this.fail('delete', join(dir, name), error);
      }
    }
  }
}
