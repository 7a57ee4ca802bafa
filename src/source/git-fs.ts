import { spawnSync } from 'node:child_process';
import { posix, resolve } from 'node:path';
import { FlotillaError, fail, ok, type Result } from '../core/index.js';
import type { RenderFs } from '../render/fs.js';

/** GitRevisionFs is a RenderFs over one commit of a repository, with what it was opened at. */
export interface GitRevisionFs extends RenderFs {
  /** The full commit id the revision resolved to. */
  commit: string;
  /** The directory that was opened, absolute; every path of this file system lies below it. */
  dir: string;
}

/** GitRevisionFsOptions tune gitRevisionFs. */
export interface GitRevisionFsOptions {
  /**
   * Files up to this size are read in the one batch when the revision is opened; larger ones
   * (charts' binary archives, images) only when asked for. @default 1 MiB
   */
  eagerMaxBytes?: number;
}

interface Entry {
  mode: string;
  oid: string;
  size: number;
}

const maxSymlinkHops = 40;
const gitMaxBuffer = 2 ** 31 - 1;

/**
 * gitRevisionFs opens the tree of `rev` below `dir` as a read-only file system whose paths are
 * the paths the same files have in the working tree, so that a build of the revision and a build
 * of the checkout name files alike and can be compared. The whole tree is listed with one
 * `git ls-tree -r` and the file contents read with one `git cat-file --batch`: a 500-cluster fleet
 * costs two processes, not thousands. Symbolic links are followed inside the revision.
 */
export function gitRevisionFs(dir: string, rev: string, options: GitRevisionFsOptions = {}): Result<GitRevisionFs> {
  const root = posixPath(resolve(dir));
  const commit = resolveRevision(root, rev);
  if (!commit.ok) return commit;
  const listing = git(root, ['ls-tree', '-r', '-l', '-z', '--full-name', commit.value, '--', '.']);
  if (!listing.ok) return listing;
  const prefix = git(root, ['rev-parse', '--show-prefix']);
  if (!prefix.ok) return prefix;
  // The repository top as the caller spells it (not realpath'd), so paths match the working tree.
  const prefixText = prefix.value.toString('utf8').trim().replace(/\/$/, '');
  const top = prefixText ? root.slice(0, root.length - prefixText.length - 1) : root;
  if (prefixText && !root.endsWith('/' + prefixText)) {
    return fail(new FlotillaError('GIT_FAILED', `${dir}: cannot tell where the repository starts (git says the directory is ${prefixText} inside it)`, { file: dir }));
  }

  const files = new Map<string, Entry>();
  const dirs = new Map<string, Set<string>>();
  const addDir = (path: string) => {
    if (!dirs.has(path)) dirs.set(path, new Set());
  };
  const link = (path: string) => {
    let child = path;
    for (;;) {
      const parent = posix.dirname(child);
      addDir(parent);
      const names = dirs.get(parent)!;
      const name = posix.basename(child);
      if (names.has(name)) break;
      names.add(name);
      if (parent === top || parent === '/' || parent === child) break;
      child = parent;
    }
  };
  addDir(root);
  for (let a = root; a !== top && a !== '/'; a = posix.dirname(a)) link(a);
  const text = listing.value;
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf(0, at);
    const record = text.subarray(at, end < 0 ? text.length : end).toString('utf8');
    at = end < 0 ? text.length : end + 1;
    const tab = record.indexOf('\t');
    const [mode, type, oid, size] = record.slice(0, tab).split(/ +/);
    const path = top + '/' + record.slice(tab + 1);
    if (type === 'commit') {
      // A submodule: its content is another repository; it shows as an empty directory.
      addDir(path);
      link(path);
      continue;
    }
    if (type !== 'blob') continue;
    files.set(path, { mode: mode!, oid: oid!, size: Number(size) });
    link(path);
  }

  const eagerMax = options.eagerMaxBytes ?? 1024 * 1024;
  const wanted = [...new Set([...files.values()].filter((e) => e.size <= eagerMax).map((e) => e.oid))];
  const blobs = readBlobs(root, wanted);
  if (!blobs.ok) return blobs;
  const contents = blobs.value;

  const blobOf = (entry: Entry): Buffer => {
    let data = contents.get(entry.oid);
    if (!data) {
      const read = git(root, ['cat-file', 'blob', entry.oid]);
      if (!read.ok) throw read.issues[0];
      data = read.value;
      contents.set(entry.oid, data);
    }
    return data;
  };

  // Follows symbolic links component by component, as the kernel does; a path that leaves the
  // revision (an absolute link, or `..` above the top) is returned as it is and reads as missing.
  const realpath = (path: string): string => {
    let hops = 0;
    let pending = posixPath(resolve(path)).split('/').filter(Boolean);
    let current = '';
    while (pending.length > 0) {
      const next = current + '/' + pending.shift()!;
      const entry = files.get(next);
      if (entry && entry.mode === '120000') {
        if (++hops > maxSymlinkHops) throw errnoError('ELOOP', `too many levels of symbolic links: ${path}`);
        const target = blobOf(entry).toString('utf8');
        const base = target.startsWith('/') ? '' : current;
        pending = [...posix.normalize(base + '/' + target).split('/').filter(Boolean), ...pending];
        current = '';
        continue;
      }
      current = next;
    }
    return current || '/';
  };

  const fs: GitRevisionFs = {
    commit: commit.value,
    dir: root,
    readFile(path) {
      const real = realpath(path);
      const entry = files.get(real);
      if (!entry) throw errnoError(dirs.has(real) ? 'EISDIR' : 'ENOENT', `${dirs.has(real) ? 'is a directory' : 'no such file in revision ' + commit.value.slice(0, 12)}: ${path}`);
      return blobOf(entry);
    },
    stat(path) {
      let real: string;
      try {
        real = realpath(path);
      } catch {
        return undefined;
      }
      const entry = files.get(real);
      if (entry) return { kind: 'file', size: entry.size };
      return dirs.has(real) ? { kind: 'directory', size: 0 } : undefined;
    },
    readdir(path) {
      const real = realpath(path);
      const names = dirs.get(real);
      if (!names) throw errnoError(files.has(real) ? 'ENOTDIR' : 'ENOENT', `${files.has(real) ? 'not a directory' : 'no such directory in revision ' + commit.value.slice(0, 12)}: ${path}`);
      return [...names].sort();
    },
    realpath(path) {
      const real = realpath(path);
      if (!files.has(real) && !dirs.has(real)) throw errnoError('ENOENT', `no such file or directory in revision ${commit.value.slice(0, 12)}: ${path}`);
      return real;
    },
  };
  return ok(fs);
}

/** resolveRevision turns a branch, tag or commit name into the full id of the commit it names. */
export function resolveRevision(dir: string, rev: string): Result<string> {
  if (rev.startsWith('-')) return fail(new FlotillaError('GIT_REVISION_NOT_FOUND', `revision ${rev} is not a revision name`, { hint: 'A revision name does not start with a dash.' }));
  const inside = git(dir, ['rev-parse', '--is-inside-work-tree']);
  if (!inside.ok) return inside;
  const result = git(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  if (!result.ok) return fail(new FlotillaError('GIT_REVISION_NOT_FOUND', `revision ${rev} does not exist in the repository at ${dir}`, { file: dir }));
  return ok(result.value.toString('utf8').trim());
}

/**
 * defaultBranch is the branch pull requests merge into: the remote's HEAD (`origin/HEAD` →
 * `origin/main`) when the clone knows it, else a local `main`, else `master`.
 */
export function defaultBranch(dir: string): string | undefined {
  const remote = git(dir, ['symbolic-ref', '--quiet', 'refs/remotes/origin/HEAD']);
  if (remote.ok) return remote.value.toString('utf8').trim().replace(/^refs\/remotes\//, '');
  for (const name of ['main', 'master']) {
    if (git(dir, ['rev-parse', '--verify', '--quiet', `refs/heads/${name}`]).ok) return name;
  }
  return undefined;
}

/** MergeBase is the commit a branch forked from, with the branch it was compared with. */
export interface MergeBase {
  commit: string;
  branch: string;
}

/**
 * mergeBase finds where `from` (default HEAD) forked from `branch` (default: defaultBranch), which
 * is what a pull request is compared with: changes that landed on the default branch since are
 * not the pull request's.
 */
export function mergeBase(dir: string, branch?: string, from = 'HEAD'): Result<MergeBase> {
  const inside = git(dir, ['rev-parse', '--is-inside-work-tree']);
  if (!inside.ok) return inside;
  const against = branch ?? defaultBranch(dir);
  if (!against) {
    return fail(new FlotillaError('GIT_REVISION_NOT_FOUND', `the repository at ${dir} has no origin/HEAD, main or master branch to compare with`, { file: dir, hint: 'Name the base revision with --base REV.' }));
  }
  const result = git(dir, ['merge-base', '--end-of-options', from, against]);
  if (!result.ok) {
    return fail(new FlotillaError('GIT_REVISION_NOT_FOUND', `${from} and ${against} have no common ancestor in the repository at ${dir}`, { file: dir, hint: 'Name the base revision with --base REV (fetch more history in a shallow clone).' }));
  }
  return ok({ commit: result.value.toString('utf8').trim(), branch: against });
}

// One git invocation; its output as bytes. Git prints its own reason on stderr; it goes in the message.
function git(dir: string, args: string[], input?: Buffer): Result<Buffer> {
  const result = spawnSync('git', args, { cwd: dir, input, maxBuffer: gitMaxBuffer, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
  if (result.error) {
    return fail(new FlotillaError('GIT_FAILED', `git ${args[0]} in ${dir}: ${result.error.message}`, { file: dir, cause: result.error }));
  }
  if (result.status !== 0) {
    const reason = result.stderr.toString('utf8').trim().split('\n')[0] ?? '';
    return fail(new FlotillaError('GIT_FAILED', `git ${args[0]} in ${dir} failed${reason ? `: ${reason}` : ` with status ${result.status}`}`, { file: dir }));
  }
  return ok(result.stdout);
}

// `git cat-file --batch` answers each id with `<oid> <type> <size>\n<content>\n`.
function readBlobs(dir: string, oids: string[]): Result<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (oids.length === 0) return ok(out);
  const result = git(dir, ['cat-file', '--batch'], Buffer.from(oids.join('\n') + '\n'));
  if (!result.ok) return result;
  const data = result.value;
  let at = 0;
  while (at < data.length) {
    const newline = data.indexOf(10, at);
    if (newline < 0) break;
    const header = data.subarray(at, newline).toString('utf8').split(' ');
    if (header[1] === 'missing') {
      at = newline + 1;
      continue;
    }
    const size = Number(header[2]);
    out.set(header[0]!, data.subarray(newline + 1, newline + 1 + size));
    at = newline + 1 + size + 1;
  }
  return ok(out);
}

function errnoError(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

function posixPath(path: string): string {
  return path.split('\\').join('/');
}
