import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { FlotillaError } from '../core/index.js';

// One hub per data directory: two hubs writing one history would interleave rollouts and audit
// records. The lock is a file created with O_EXCL, so creating it is atomic on every local file
// system; it names its process so that a lock left by a crash (a pid that no longer runs on this
// host) is taken over instead of needing a person to delete it.

/** lockFileName is the lock's file name inside the data directory. */
export const lockFileName = 'hub.lock';

/** LockOwner is what the lock file says about the hub that holds it. */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** Milliseconds since the epoch. */
  startedAt: number;
  /** Tells this hub's lock apart from a later one with a recycled pid. */
  token: string;
}

/** DataDirLockOptions are the facts lock taking needs; tests inject them. */
export interface DataDirLockOptions {
  /** @default process.pid */
  pid?: number;
  /** @default os.hostname() */
  hostname?: string;
  /** @default Date.now */
  now?: () => number;
  /** Whether a process runs on this host. @default a signal-0 probe */
  isAlive?: (pid: number) => boolean;
}

/** DataDirLock is a held lock. */
export interface DataDirLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** release removes the lock file if it is still this hub's; calling it twice is harmless. */
  release(): void;
}

/** processAlive probes a pid with signal 0: EPERM means it runs under another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.hostname === 'string') {
      return { pid: parsed.pid, hostname: parsed.hostname, startedAt: Number(parsed.startedAt ?? 0), token: String(parsed.token ?? '') };
    }
  } catch {
    // Unreadable or half-written: decided by the caller from the file's age.
  }
  return undefined;
}

/**
 * acquireDataDirLock takes the data directory's lock or throws HUB_DATA_LOCKED naming the hub that
 * holds it. A lock whose process no longer runs on this host is stale and is taken over; a lock of
 * another host is never taken over (its process cannot be checked from here).
 */
export function acquireDataDirLock(dir: string, options: DataDirLockOptions = {}): DataDirLock {
  const path = join(dir, lockFileName);
  const now = options.now ?? Date.now;
  const isAlive = options.isAlive ?? processAlive;
  const owner: LockOwner = { pid: options.pid ?? process.pid, hostname: options.hostname ?? osHostname(), startedAt: now(), token: randomUUID() };
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new FlotillaError('HUB_STORE_FAILED', `${path}: the lock file cannot be created: ${(error as Error).message}`, { file: path, cause: error });
      }
      const held = readOwner(path);
      if (held === undefined) {
        // A lock another hub is writing this very moment is young; an old unreadable one is debris.
        let age = 0;
        try {
          age = now() - statSync(path).mtimeMs;
        } catch {
          continue;
        }
        if (age < 10_000) throw locked(path, undefined, owner.hostname);
      } else if (held.hostname !== owner.hostname || isAlive(held.pid)) {
        throw locked(path, held, owner.hostname);
      }
      try {
        unlinkSync(path);
      } catch (unlinkError) {
        if ((unlinkError as NodeJS.ErrnoException).code !== 'ENOENT') throw locked(path, held, owner.hostname);
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(owner) + '\n');
    } finally {
      closeSync(fd);
    }
    // Two hubs that both found the same stale lock may both have removed it; only one of them
    // wrote the file that is there now.
    const written = readOwner(path);
    if (written?.token !== owner.token) throw locked(path, written, owner.hostname);
    let released = false;
    return {
      path,
      owner,
      release() {
        if (released) return;
        released = true;
        if (readOwner(path)?.token === owner.token) {
          try {
            unlinkSync(path);
          } catch {
            // Already gone: nothing to release.
          }
        }
      },
    };
  }
  throw locked(path, readOwner(path), owner.hostname);
}

function locked(path: string, held: LockOwner | undefined, ownHost: string): FlotillaError {
  const who = held ? `hub process ${held.pid} on ${held.hostname}, started ${new Date(held.startedAt).toISOString()}` : 'another hub that is starting';
  return new FlotillaError('HUB_DATA_LOCKED', `${path}: the data directory is in use by ${who}`, {
    file: path,
    hint: held && held.hostname !== ownHost
      ? `Stop the hub on ${held.hostname}, or delete ${path} once you are sure it no longer runs; or give this hub its own --data directory.`
      : 'Stop the other hub or give this one its own --data directory. A lock left by a process that no longer runs is taken over by itself.',
  });
}
