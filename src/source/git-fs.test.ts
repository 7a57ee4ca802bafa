import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultBranch, gitRevisionFs, mergeBase, resolveRevision } from './git-fs.js';

function repo(): { dir: string; git: (...args: string[]) => string; write: (path: string, text: string) => void } {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-gitfs-'));
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim();
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  git('init', '-q', '-b', 'main');
  return { dir, git, write };
}

test('a revision reads as it was committed, not as the working tree is now', (t) => {
  const { dir, git, write } = repo();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  write('base/kustomization.yaml', 'resources: [cm.yaml]\n');
  write('base/cm.yaml', 'kind: ConfigMap\n');
  write('clusters/a/cluster.yaml', 'name: a\n');
  symlinkSync('../../base', join(dir, 'clusters/a/base'));
  git('add', '-A');
  git('commit', '-q', '-m', 'one');
  const first = git('rev-parse', 'HEAD');
  write('base/cm.yaml', 'kind: ConfigMap # changed\n');
  write('base/new.yaml', 'new\n');

  const opened = gitRevisionFs(dir, 'HEAD');
  assert.ok(opened.ok);
  const fs = opened.value;
  assert.equal(fs.commit, first);
  assert.equal(Buffer.from(fs.readFile(join(dir, 'base/cm.yaml'))).toString(), 'kind: ConfigMap\n');
  assert.equal(fs.stat(join(dir, 'base/new.yaml')), undefined);
  assert.deepEqual(fs.stat(join(dir, 'base/cm.yaml')), { kind: 'file', size: 16 });
  assert.deepEqual(fs.stat(join(dir, 'clusters')), { kind: 'directory', size: 0 });
  assert.deepEqual(fs.readdir(dir), ['base', 'clusters']);
  assert.deepEqual(fs.readdir(join(dir, 'base')), ['cm.yaml', 'kustomization.yaml']);
  assert.deepEqual(fs.readdir(join(dir, 'clusters/a')), ['base', 'cluster.yaml']);
  // The symbolic link is followed inside the revision.
  assert.equal(fs.realpath(join(dir, 'clusters/a/base/cm.yaml')), join(dir, 'base/cm.yaml'));
  assert.equal(Buffer.from(fs.readFile(join(dir, 'clusters/a/base/cm.yaml'))).toString(), 'kind: ConfigMap\n');
  assert.deepEqual(fs.stat(join(dir, 'clusters/a/base')), { kind: 'directory', size: 0 });
  assert.throws(() => fs.readFile(join(dir, 'base/new.yaml')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  assert.throws(() => fs.readFile(join(dir, 'base')), (e: NodeJS.ErrnoException) => e.code === 'EISDIR');
  assert.throws(() => fs.readdir(join(dir, 'nothing')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  assert.throws(() => fs.realpath(join(dir, 'nothing')), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
});

test('a subdirectory opens with working-tree paths, and large files are read when asked for', (t) => {
  const { dir, git, write } = repo();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  write('fleet/flotilla.yaml', 'kind: Fleet\n');
  write('fleet/charts/big.tgz', 'x'.repeat(5000));
  write('other/readme.md', 'elsewhere\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'one');
  const opened = gitRevisionFs(join(dir, 'fleet'), 'main', { eagerMaxBytes: 100 });
  assert.ok(opened.ok);
  const fs = opened.value;
  assert.equal(fs.dir, join(dir, 'fleet'));
  assert.equal(Buffer.from(fs.readFile(join(dir, 'fleet/flotilla.yaml'))).toString(), 'kind: Fleet\n');
  assert.equal(fs.readFile(join(dir, 'fleet/charts/big.tgz')).length, 5000);
  // Only the opened subtree is listed; its ancestors are directories.
  assert.equal(fs.stat(join(dir, 'other/readme.md')), undefined);
  assert.deepEqual(fs.stat(dir), { kind: 'directory', size: 0 });
  assert.deepEqual(fs.readdir(dir), ['fleet']);
});

test('revisions resolve to commits; unknown revisions and directories outside Git are clear errors', (t) => {
  const { dir, git, write } = repo();
  const outside = mkdtempSync(join(tmpdir(), 'flotilla-nogit-'));
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
  write('a.txt', 'a\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'one');
  git('tag', 'v1');
  const head = git('rev-parse', 'HEAD');
  assert.deepEqual(resolveRevision(dir, 'v1'), { ok: true, value: head });
  assert.deepEqual(resolveRevision(dir, head.slice(0, 8)), { ok: true, value: head });
  const missing = resolveRevision(dir, 'no-such-branch');
  assert.ok(!missing.ok);
  assert.equal(missing.issues[0]!.code, 'GIT_REVISION_NOT_FOUND');
  assert.match(missing.issues[0]!.message, /no-such-branch/);
  const dash = resolveRevision(dir, '--all');
  assert.ok(!dash.ok);
  const notGit = gitRevisionFs(outside, 'HEAD');
  assert.ok(!notGit.ok);
  assert.equal(notGit.issues[0]!.code, 'GIT_FAILED');
});

test('the merge base is where HEAD forked from the default branch', (t) => {
  const { dir, git, write } = repo();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  write('a.txt', 'a\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'one');
  const fork = git('rev-parse', 'HEAD');
  git('checkout', '-q', '-b', 'feature');
  write('a.txt', 'b\n');
  git('commit', '-q', '-am', 'two');
  git('checkout', '-q', 'main');
  write('c.txt', 'c\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'three');
  git('checkout', '-q', 'feature');
  assert.equal(defaultBranch(dir), 'main');
  assert.deepEqual(mergeBase(dir), { ok: true, value: { commit: fork, branch: 'main' } });
  // A clone's origin/HEAD wins over local branch names.
  git('update-ref', 'refs/remotes/origin/trunk', fork);
  git('symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk');
  assert.equal(defaultBranch(dir), 'origin/trunk');
  const none = mergeBase(dir, 'no-such-branch');
  assert.ok(!none.ok);
  assert.equal(none.issues[0]!.code, 'GIT_REVISION_NOT_FOUND');
});

test('outside a Git repository the merge base is GIT_FAILED, not a missing branch', (t) => {
  const outside = mkdtempSync(join(tmpdir(), 'flotilla-nogit-'));
  t.after(() => rmSync(outside, { recursive: true, force: true }));
  const result = mergeBase(outside);
  assert.ok(!result.ok);
  assert.equal(result.issues[0]!.code, 'GIT_FAILED');
  assert.match(result.issues[0]!.message, /not a git repository/i);
});
