import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { FlotillaError } from '../core/index.js';
import type { RolloutState } from '../rollout/index.js';
import { acquireDataDirLock, type DataDirLock, type DataDirLockOptions } from './lock.js';
import { hubMigrations, migrate, type Migration, type MigrateResult } from './migrations.js';
import {
  defaultRetention,
  type AuditInput,
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

/** databaseFileName is the SQLite file inside the data directory. */
export const databaseFileName = 'flotilla.db';

/** OpenHubStoreOptions tune a store; every field has a default. */
export interface OpenHubStoreOptions {
  /** @default defaultRetention() */
  retention?: Partial<RetentionOptions>;
  /** The clock of the retention bound and of the migrations' bookkeeping. @default Date.now */
  now?: () => number;
  /** Passed to the data directory lock (tests inject pid and liveness). */
  lock?: DataDirLockOptions;
  /** The schema; only tests give another one. @default hubMigrations */
  migrations?: readonly Migration[];
  /** Enforce the retention bound after this many inserts into a table. @default 500 */
  pruneEvery?: number;
}

/** StoreCounts are the number of rows per table. */
export interface StoreCounts {
  events: number;
  audit: number;
  targets: number;
  rollouts: number;
  deadLetters: number;
}

type Row = Record<string, unknown>;

const columnFields = ['cluster', 'release', 'object', 'message'] as const;

/**
 * SqliteHubStore is the hub's history under --data: the event stream, the audit log, the last
 * status of every target, the state of every rollout and the notifications' dead letters, in one
 * SQLite database (WAL mode, so readers never wait for the writer). It holds the data directory's
 * lock while open, and survives restarts: a new hub on the same directory reads everything back.
 */
export class SqliteHubStore {
  readonly dir: string;
  readonly file: string;
  readonly migration: MigrateResult;
  private readonly db: Database.Database;
  private readonly lock: DataDirLock;
  private readonly retention: RetentionOptions;
  private readonly now: () => number;
  private readonly pruneEvery: number;
  private readonly inserts = { events: 0, audit: 0, dead_letters: 0 };
  private readonly statements = new Map<string, Database.Statement>();
  private closed = false;

  private constructor(dir: string, file: string, db: Database.Database, lock: DataDirLock, migration: MigrateResult, options: OpenHubStoreOptions) {
    this.dir = dir;
    this.file = file;
    this.db = db;
    this.lock = lock;
    this.migration = migration;
    this.retention = { ...defaultRetention(), ...options.retention };
    this.now = options.now ?? Date.now;
    this.pruneEvery = options.pruneEvery ?? 500;
  }

  /**
   * open creates the directory when needed, takes its lock (HUB_DATA_LOCKED when another hub holds
   * it), opens the database in WAL mode, applies the schema migrations and the retention bound.
   */
  static open(dir: string, options: OpenHubStoreOptions = {}): SqliteHubStore {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new FlotillaError('HUB_STORE_FAILED', `${dir}: the data directory cannot be created: ${(error as Error).message}`, { file: dir, cause: error });
    }
    const lock = acquireDataDirLock(dir, options.lock);
    const file = join(dir, databaseFileName);
    let db: Database.Database | undefined;
    try {
      db = new Database(file);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') throw new Error(`the database refused WAL mode (journal_mode is ${String(mode)})`);
      // NORMAL is durable across process crashes in WAL mode; only a power loss can drop the last commits.
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      const migration = migrate(db, options.migrations ?? hubMigrations, file, options.now);
      const store = new SqliteHubStore(dir, file, db, lock, migration, options);
      store.enforceRetention();
      return store;
    } catch (error) {
      db?.close();
      lock.release();
      if (error instanceof FlotillaError) throw error;
      throw new FlotillaError('HUB_STORE_FAILED', `${file}: the history database cannot be opened: ${(error as Error).message}`, { file, cause: error });
    }
  }

  /** appendEvent records an event and answers it with its id. */
  appendEvent<E extends HistoryEventInput>(event: E): E & HistoryEvent {
    const { type, time, ...rest } = event as HistoryEventInput & Record<string, unknown>;
    const columns: Record<(typeof columnFields)[number], string | null> = { cluster: null, release: null, object: null, message: null };
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rest)) {
      if ((columnFields as readonly string[]).includes(key) && typeof value === 'string') columns[key as (typeof columnFields)[number]] = value;
      else if (key !== 'id' && value !== undefined) fields[key] = value;
    }
    const id = this.write(() =>
      Number(
        this.statement('INSERT INTO events (time, type, cluster, release, object, message, fields) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
          time,
          type,
          columns.cluster,
          columns.release,
          columns.object,
          columns.message,
          JSON.stringify(fields),
        ).lastInsertRowid,
      ),
    );
    this.counted('events');
    return { ...event, id } as E & HistoryEvent;
  }

  /** listEvents reads events: the newest first, or the oldest first after the id `after`. */
  listEvents(query: EventQuery = {}): HistoryEvent[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.after !== undefined) {
      where.push('id > ?');
      params.push(query.after);
    }
    if (query.cluster !== undefined) {
      where.push('cluster = ?');
      params.push(query.cluster);
    }
    if (query.release !== undefined) {
      where.push('release = ?');
      params.push(query.release);
    }
    if (query.types?.length) {
      where.push(`type IN (${query.types.map(() => '?').join(', ')})`);
      params.push(...query.types);
    }
    const order = query.after !== undefined ? 'ASC' : 'DESC';
    const sql = `SELECT * FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order} LIMIT ?`;
    params.push(clampLimit(query.limit));
    return this.read(() => (this.statement(sql).all(...params) as Row[]).map(eventFromRow));
  }

  /** lastEventId is the id of the newest event, 0 when there is none. */
  lastEventId(): number {
    return this.read(() => Number((this.statement('SELECT COALESCE(MAX(id), 0) AS id FROM events').get() as Row).id));
  }

  /** appendAudit records one write and answers it with its id. */
  appendAudit(record: AuditInput): AuditRecord {
    const id = this.write(() =>
      Number(
        this.statement('INSERT INTO audit (time, actor, role, method, path, request, outcome, status, message, remote_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
          record.time,
          record.actor,
          record.role ?? null,
          record.method,
          record.path,
          record.request === undefined ? null : JSON.stringify(record.request),
          record.outcome,
          record.status,
          record.message ?? null,
          record.remoteAddress ?? null,
        ).lastInsertRowid,
      ),
    );
    this.counted('audit');
    return { ...record, id };
  }

  /** listAudit reads the audit log: the newest first, or the oldest first after the id `after`. */
  listAudit(query: AuditQuery = {}): AuditRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.after !== undefined) {
      where.push('id > ?');
      params.push(query.after);
    }
    if (query.actor !== undefined) {
      where.push('actor = ?');
      params.push(query.actor);
    }
    if (query.outcome !== undefined) {
      where.push('outcome = ?');
      params.push(query.outcome);
    }
    const order = query.after !== undefined ? 'ASC' : 'DESC';
    const sql = `SELECT * FROM audit${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${order} LIMIT ?`;
    params.push(clampLimit(query.limit));
    return this.read(() => (this.statement(sql).all(...params) as Row[]).map(auditFromRow));
  }

  /** putTargetStatus stores the last status of a target, replacing the one before. */
  putTargetStatus(snapshot: TargetSnapshot): void {
    this.write(() =>
      this.statement(
        `INSERT INTO target_status (cluster, release, revision, desired_revision, sync, health, drift, message, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (cluster, release) DO UPDATE SET revision = excluded.revision, desired_revision = excluded.desired_revision, sync = excluded.sync,
           health = excluded.health, drift = excluded.drift, message = excluded.message, updated_at = excluded.updated_at`,
      ).run(snapshot.cluster, snapshot.release, snapshot.revision ?? null, snapshot.desiredRevision ?? null, snapshot.sync, snapshot.health, snapshot.drift, snapshot.message, snapshot.updatedAt),
    );
  }

  /** deleteTargetStatus forgets a target the fleet no longer has. */
  deleteTargetStatus(cluster: string, release: string): void {
    this.write(() => this.statement('DELETE FROM target_status WHERE cluster = ? AND release = ?').run(cluster, release));
  }

  /** listTargetStatus answers every target's last status, by cluster then release. */
  listTargetStatus(): TargetSnapshot[] {
    return this.read(() => (this.statement('SELECT * FROM target_status ORDER BY cluster, release').all() as Row[]).map(targetFromRow));
  }

  /** putRolloutState stores a release's rollout state (plain JSON, SPEC §7: it survives a restart). */
  putRolloutState(state: RolloutState, updatedAt: number = this.now()): void {
    this.write(() =>
      this.statement('INSERT INTO rollouts (release, state, updated_at) VALUES (?, ?, ?) ON CONFLICT (release) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at').run(
        state.release,
        JSON.stringify(state),
        updatedAt,
      ),
    );
  }

  /** getRolloutState reads one release's rollout state. */
  getRolloutState(release: string): StoredRollout | undefined {
    const row = this.read(() => this.statement('SELECT * FROM rollouts WHERE release = ?').get(release) as Row | undefined);
    return row ? rolloutFromRow(row) : undefined;
  }

  /** listRolloutStates reads every stored rollout, by release. */
  listRolloutStates(): StoredRollout[] {
    return this.read(() => (this.statement('SELECT * FROM rollouts ORDER BY release').all() as Row[]).map(rolloutFromRow));
  }

  /** deleteRolloutState forgets a release's rollout (the release left the fleet). */
  deleteRolloutState(release: string): void {
    this.write(() => this.statement('DELETE FROM rollouts WHERE release = ?').run(release));
  }

  /**
   * saveRolloutRecord stores the rollout driver's record of a release (its rollout and every
   * target's pin), as JSON; the driver's type is its own (the store only keeps the JSON).
   */
  saveRolloutRecord(release: string, record: unknown, updatedAt: number = this.now()): void {
    this.write(() =>
      this.statement('INSERT INTO rollout_records (release, record, updated_at) VALUES (?, ?, ?) ON CONFLICT (release) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at').run(release, JSON.stringify(record), updatedAt),
    );
  }

  /** loadRolloutRecord reads a release's rollout record. */
  loadRolloutRecord<T = unknown>(release: string): T | undefined {
    const row = this.read(() => this.statement('SELECT record FROM rollout_records WHERE release = ?').get(release) as Row | undefined);
    return row === undefined ? undefined : (JSON.parse(String(row.record)) as T);
  }

  /** listRolloutRecords reads every rollout record, by release. */
  listRolloutRecords<T = unknown>(): T[] {
    return this.read(() => (this.statement('SELECT record FROM rollout_records ORDER BY release').all() as Row[]).map((row) => JSON.parse(String(row.record)) as T));
  }

  /** saveRolloutSnapshot stores the rendered objects of a release under their content hash (written once). */
  saveRolloutSnapshot(release: string, contentHash: string, objects: unknown): void {
    this.write(() => this.statement('INSERT OR IGNORE INTO rollout_snapshots (release, content_hash, objects, created_at) VALUES (?, ?, ?, ?)').run(release, contentHash, JSON.stringify(objects), this.now()));
  }

  /** loadRolloutSnapshot reads the objects a release rendered with this content hash. */
  loadRolloutSnapshot<T = unknown>(release: string, contentHash: string): T | undefined {
    const row = this.read(() => this.statement('SELECT objects FROM rollout_snapshots WHERE release = ? AND content_hash = ?').get(release, contentHash) as Row | undefined);
    return row === undefined ? undefined : (JSON.parse(String(row.objects)) as T);
  }

  /** keepRolloutSnapshots deletes a release's snapshots whose hash is not in `keep`. */
  keepRolloutSnapshots(release: string, keep: readonly string[]): void {
    this.write(() => this.statement('DELETE FROM rollout_snapshots WHERE release = ? AND content_hash NOT IN (SELECT value FROM json_each(?))').run(release, JSON.stringify(keep)));
  }

  /** addDeadLetter records a notification that could not be delivered. */
  addDeadLetter(letter: DeadLetterInput): DeadLetter {
    const id = this.write(() =>
      Number(
        this.statement('INSERT INTO dead_letters (time, notification, provider, delivery_id, event_type, event, attempts, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
          letter.time,
          letter.notification,
          letter.provider,
          letter.deliveryId,
          letter.event.type,
          JSON.stringify(letter.event),
          letter.attempts,
          letter.error,
        ).lastInsertRowid,
      ),
    );
    this.counted('dead_letters');
    return { ...letter, id };
  }

  /** listDeadLetters reads dead letters, the newest first. */
  listDeadLetters(query: { notification?: string; limit?: number } = {}): DeadLetter[] {
    const sql = `SELECT * FROM dead_letters${query.notification !== undefined ? ' WHERE notification = ?' : ''} ORDER BY id DESC LIMIT ?`;
    const params = query.notification !== undefined ? [query.notification, clampLimit(query.limit)] : [clampLimit(query.limit)];
    return this.read(() => (this.statement(sql).all(...params) as Row[]).map(deadLetterFromRow));
  }

  /** getMeta reads a small value the hub keeps between runs (the last fetched revision, say). */
  getMeta(key: string): string | undefined {
    const row = this.read(() => this.statement('SELECT value FROM meta WHERE key = ?').get(key) as Row | undefined);
    return row === undefined ? undefined : String(row.value);
  }

  /** setMeta stores a small value the hub keeps between runs. */
  setMeta(key: string, value: string): void {
    this.write(() => this.statement('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value));
  }

  /** counts answers the number of rows of every table. */
  counts(): StoreCounts {
    const count = (table: string) => Number((this.statement(`SELECT COUNT(*) AS n FROM ${table}`).get() as Row).n);
    return this.read(() => ({ events: count('events'), audit: count('audit'), targets: count('target_status'), rollouts: count('rollouts'), deadLetters: count('dead_letters') }));
  }

  /** enforceRetention deletes what is older than the bound, or beyond the row limits. */
  enforceRetention(): void {
    const cutoff = this.now() - this.retention.maxAgeMs;
    const bounds: [string, number][] = [
      ['events', this.retention.maxEvents],
      ['audit', this.retention.maxAuditRecords],
      ['dead_letters', this.retention.maxDeadLetters],
    ];
    this.write(() =>
      this.db.transaction(() => {
        for (const [table, max] of bounds) {
          this.statement(`DELETE FROM ${table} WHERE time < ?`).run(cutoff);
          this.statement(`DELETE FROM ${table} WHERE id <= (SELECT id FROM ${table} ORDER BY id DESC LIMIT 1 OFFSET ?)`).run(Math.max(0, max));
        }
      })(),
    );
  }

  /** isOpen tells whether the store still serves reads and writes (for /readyz). */
  get isOpen(): boolean {
    return !this.closed;
  }

  /** close checkpoints the write-ahead log, closes the database and releases the lock; twice is harmless. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // A failed checkpoint is redone by the next open.
    }
    this.db.close();
    this.lock.release();
  }

  private counted(table: keyof SqliteHubStore['inserts']): void {
    this.inserts[table]++;
    if (this.inserts[table] >= this.pruneEvery) {
      this.inserts[table] = 0;
      this.enforceRetention();
    }
  }

  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private read<T>(run: () => T): T {
    return this.guard('read', run);
  }

  private write<T>(run: () => T): T {
    return this.guard('write', run);
  }

  private guard<T>(verb: 'read' | 'write', run: () => T): T {
    if (this.closed) throw new FlotillaError('HUB_STORE_FAILED', `${this.file}: the history database is closed`, { file: this.file });
    try {
      return run();
    } catch (error) {
      if (error instanceof FlotillaError) throw error;
      throw new FlotillaError('HUB_STORE_FAILED', `${this.file}: cannot ${verb} the history database: ${(error as Error).message}`, { file: this.file, cause: error, retryable: /SQLITE_BUSY|SQLITE_LOCKED/.test(String((error as { code?: string }).code)) });
    }
  }
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return 100;
  return Math.min(10_000, Math.max(1, Math.floor(limit)));
}

function eventFromRow(row: Row): HistoryEvent {
  const fields = JSON.parse(String(row.fields)) as Record<string, unknown>;
  const event: HistoryEvent = { ...fields, id: Number(row.id), type: String(row.type), time: Number(row.time) };
  for (const key of columnFields) if (row[key] !== null && row[key] !== undefined) event[key] = String(row[key]);
  return event;
}

function auditFromRow(row: Row): AuditRecord {
  return {
    id: Number(row.id),
    time: Number(row.time),
    actor: String(row.actor),
    ...(row.role !== null ? { role: String(row.role) } : {}),
    method: String(row.method),
    path: String(row.path),
    ...(row.request !== null ? { request: JSON.parse(String(row.request)) as Record<string, unknown> } : {}),
    outcome: String(row.outcome) as AuditRecord['outcome'],
    status: Number(row.status),
    ...(row.message !== null ? { message: String(row.message) } : {}),
    ...(row.remote_address !== null ? { remoteAddress: String(row.remote_address) } : {}),
  };
}

function targetFromRow(row: Row): TargetSnapshot {
  return {
    cluster: String(row.cluster),
    release: String(row.release),
    ...(row.revision !== null ? { revision: String(row.revision) } : {}),
    ...(row.desired_revision !== null ? { desiredRevision: String(row.desired_revision) } : {}),
    sync: String(row.sync),
    health: String(row.health),
    drift: Number(row.drift),
    message: String(row.message),
    updatedAt: Number(row.updated_at),
  };
}

function rolloutFromRow(row: Row): StoredRollout {
  return { release: String(row.release), state: JSON.parse(String(row.state)) as RolloutState, updatedAt: Number(row.updated_at) };
}

function deadLetterFromRow(row: Row): DeadLetter {
  return {
    id: Number(row.id),
    time: Number(row.time),
    notification: String(row.notification),
    provider: String(row.provider),
    deliveryId: String(row.delivery_id),
    event: JSON.parse(String(row.event)) as HistoryEventInput,
    attempts: Number(row.attempts),
    error: String(row.error),
  };
}
