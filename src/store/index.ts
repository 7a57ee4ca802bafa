// The hub's history: events, audit log, target status, rollout state and dead letters in one
// SQLite database under --data, behind the data directory's lock.
export { SqliteHubStore, databaseFileName, type OpenHubStoreOptions, type StoreCounts } from './hub-store.js';
export { acquireDataDirLock, processAlive, lockFileName, type DataDirLock, type DataDirLockOptions, type LockOwner } from './lock.js';
export { hubMigrations, migrate, type Migration, type MigrateResult } from './migrations.js';
export {
  defaultRetention,
  type AuditInput,
  type AuditOutcome,
  type AuditQuery,
  type AuditRecord,
  type DeadLetter,
  type DeadLetterInput,
  type EventQuery,
  type HistoryEvent,
  type HistoryEventInput,
  type RetentionOptions,
  type StoredRollout,
  type TargetSnapshot,
} from './types.js';
