import { FlotillaError } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import type { RolloutRecord, RolloutStore } from '../reconcile/index.js';
import type { SqliteHubStore } from '../store/index.js';

// The rollout driver's persistence (reconcile's RolloutStore port) in the hub's database: one
// record per release, one snapshot per content hash, so a restarted hub resumes every rollout and
// can still apply (and self-heal) revisions that targets are pinned to.

function storeFailed(error: unknown, doing: string): FlotillaError {
  const cause = error instanceof Error ? error.message : String(error);
  return new FlotillaError('ROLLOUT_STORE_FAILED', `cannot ${doing}: ${cause}`, { cause: error, retryable: error instanceof FlotillaError ? error.retryable : false });
}

/** SqliteRolloutStore fits the rollout driver's store port over the hub's SQLite store. */
export class SqliteRolloutStore implements RolloutStore {
  private readonly store: SqliteHubStore;

  constructor(store: SqliteHubStore) {
    this.store = store;
  }

  async load(release: string): Promise<RolloutRecord | undefined> {
    try {
      return this.store.loadRolloutRecord<RolloutRecord>(release);
    } catch (error) {
      throw storeFailed(error, `read the rollout record of ${release}`);
    }
  }

  async list(): Promise<RolloutRecord[]> {
    try {
      return this.store.listRolloutRecords<RolloutRecord>();
    } catch (error) {
      throw storeFailed(error, 'read the rollout records');
    }
  }

  async save(release: string, record: RolloutRecord): Promise<void> {
    try {
      this.store.saveRolloutRecord(release, record);
    } catch (error) {
      throw storeFailed(error, `write the rollout record of ${release}`);
    }
  }

  async loadSnapshot(release: string, contentHash: string): Promise<KubeObject[] | undefined> {
    try {
      return this.store.loadRolloutSnapshot<KubeObject[]>(release, contentHash);
    } catch (error) {
      throw storeFailed(error, `read the snapshot ${contentHash} of ${release}`);
    }
  }

  async saveSnapshot(release: string, contentHash: string, objects: readonly KubeObject[]): Promise<void> {
    try {
      this.store.saveRolloutSnapshot(release, contentHash, objects);
    } catch (error) {
      throw storeFailed(error, `write the snapshot ${contentHash} of ${release}`);
    }
  }

  async keepSnapshots(release: string, keep: readonly string[]): Promise<void> {
    try {
      this.store.keepRolloutSnapshots(release, keep);
    } catch (error) {
      throw storeFailed(error, `drop the unused snapshots of ${release}`);
    }
  }
}
