import type Database from 'better-sqlite3';
import { FlotillaError } from '../core/index.js';

// Numbered schema migrations. A migration is never edited once released: a change to the schema is
// a new, higher-numbered entry, so a database written by any earlier Flotilla is brought forward
// step by step. Each migration runs in its own transaction together with its bookkeeping row, so a
// crash leaves the database at the last complete step.

/** Migration is one numbered step of the schema. */
export interface Migration {
  /** 1, 2, 3, …: contiguous, in order. */
  version: number;
  /** What the step does, for people reading schema_migrations. */
  name: string;
  sql: string;
}

/** hubMigrations is the schema of the hub's history, from the first version on. */
export const hubMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'events, audit, target status, rollouts, dead letters, meta',
    sql: `
      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time INTEGER NOT NULL,
        type TEXT NOT NULL,
        cluster TEXT,
        release TEXT,
        object TEXT,
        message TEXT,
        fields TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX events_time ON events (time);
      CREATE INDEX events_target ON events (cluster, release, id);
      CREATE INDEX events_type ON events (type, id);

      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time INTEGER NOT NULL,
        actor TEXT NOT NULL,
        role TEXT,
        method TEXT NOT NULL,
        path TEXT NOT NULL,
        request TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'denied')),
        status INTEGER NOT NULL,
        message TEXT,
        remote_address TEXT
      );
      CREATE INDEX audit_time ON audit (time);
      CREATE INDEX audit_actor ON audit (actor, id);

      CREATE TABLE target_status (
        cluster TEXT NOT NULL,
        release TEXT NOT NULL,
        revision TEXT,
        desired_revision TEXT,
        sync TEXT NOT NULL,
        health TEXT NOT NULL,
        drift INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT '',
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (cluster, release)
      ) WITHOUT ROWID;

      CREATE TABLE rollouts (
        release TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE dead_letters (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        time INTEGER NOT NULL,
        notification TEXT NOT NULL,
        provider TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        event_type TEXT NOT NULL,
        event TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        error TEXT NOT NULL
      );
      CREATE INDEX dead_letters_time ON dead_letters (time);

      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: "the rollout driver's records and the snapshots of pinned content",
    sql: `
      CREATE TABLE rollout_records (
        release TEXT PRIMARY KEY,
        record TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE rollout_snapshots (
        release TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        objects TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (release, content_hash)
      ) WITHOUT ROWID;
    `,
  },
];

/** MigrateResult says which version the database had and which steps ran. */
export interface MigrateResult {
  from: number;
  to: number;
  applied: number[];
}

/**
 * migrate brings the database to the last version of `migrations`. Running it again does nothing;
 * a database written by a newer Flotilla (a higher version than any known here) is refused
 * rather than written with an older idea of the schema.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[], file: string, now: () => number = Date.now): MigrateResult {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new FlotillaError('INTERNAL', `schema migration ${m.name} has version ${m.version}, expected ${i + 1}: migrations must be numbered 1, 2, 3, … in order`);
  });
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = migrations.length;
  if (from > latest) {
    throw new FlotillaError('HUB_STORE_FAILED', `${file}: the history database has schema version ${from}, newer than this Flotilla knows (${latest}); it was written by a newer Flotilla`, { file });
  }
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations.slice(from)) {
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, now());
      // user_version is part of the database header, so it commits with the transaction.
      db.pragma(`user_version = ${m.version}`);
    })();
    applied.push(m.version);
  }
  return { from, to: Math.max(from, latest), applied };
}
