import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs } from '../render/kustomize/memory-fs.js';
import { expandGlob, globProblem } from './glob.js';

const fs = memoryFs({
  '/r/clusters/a/cluster.yaml': '',
  '/r/clusters/b/cluster.yaml': '',
  '/r/clusters/b/kustomization.yaml': '',
  '/r/clusters/.hidden/cluster.yaml': '',
  '/r/regions/eu/west/c/cluster.yaml': '',
  '/r/regions/us/d/cluster.yaml': '',
  '/r/flat-1.yaml': '',
  '/r/flat-2.yaml': '',
});

test('expandGlob matches * and ? within a segment, ** across directories, and skips hidden entries', () => {
  assert.deepEqual(expandGlob(fs, '/r', 'clusters/*/cluster.yaml'), ['clusters/a/cluster.yaml', 'clusters/b/cluster.yaml']);
  assert.deepEqual(expandGlob(fs, '/r', 'regions/**/cluster.yaml'), ['regions/eu/west/c/cluster.yaml', 'regions/us/d/cluster.yaml']);
  assert.deepEqual(expandGlob(fs, '/r', 'flat-?.yaml'), ['flat-1.yaml', 'flat-2.yaml']);
  assert.deepEqual(expandGlob(fs, '/r', 'flat-[2].yaml'), ['flat-2.yaml']);
  assert.deepEqual(expandGlob(fs, '/r', 'clusters/.hidden/cluster.yaml'), ['clusters/.hidden/cluster.yaml']);
  assert.deepEqual(expandGlob(fs, '/r', 'nowhere/*.yaml'), []);
});

test('globProblem refuses absolute globs and globs that leave the repository', () => {
  assert.equal(globProblem('clusters/*/cluster.yaml'), undefined);
  assert.match(globProblem('/etc/*.yaml')!, /relative/);
  assert.match(globProblem('clusters/../../x')!, /inside the repository/);
});

// Found by the fuzz suite (test/fuzz): `clusters/**/cluster.yaml` with a link to an ancestor
// (clusters/a/loop -> /r/clusters) walked forever; with two such links a disk's 40-link limit
// would only turn it into 2^40 steps.
test('expandGlob does not follow ** into a directory it is already inside', () => {
  const looped = memoryFs({
    '/r/clusters/a/cluster.yaml': '',
    '/r/clusters/a/loop': { symlink: '/r/clusters' },
    '/r/clusters/b/cluster.yaml': '',
    '/r/clusters/b/up': { symlink: '/r' },
  });
  assert.deepEqual(expandGlob(looped, '/r', 'clusters/**/cluster.yaml'), ['clusters/a/cluster.yaml', 'clusters/b/cluster.yaml']);
});

// Found while fuzzing the glob: segments were matched with a backtracking regular expression, so
// `*a*a*a*a*a*a*a*a*b` against a long directory name took exponential time.
test('expandGlob matches many stars against long names in linear steps, and refuses an invalid class', () => {
  const long = memoryFs({ [`/r/${'a'.repeat(60)}/cluster.yaml`]: '', '/r/ab/cluster.yaml': '', '/r/b/cluster.yaml': '' });
  assert.deepEqual(expandGlob(long, '/r', '*a*a*a*a*a*a*a*a*b/cluster.yaml'), []);
  assert.deepEqual(expandGlob(long, '/r', '*a*b/cluster.yaml'), ['ab/cluster.yaml']);
  assert.deepEqual(expandGlob(long, '/r', '[!a]/cluster.yaml'), ['b/cluster.yaml']);
  assert.deepEqual(expandGlob(long, '/r', '*[b]/cluster.yaml'), ['ab/cluster.yaml', 'b/cluster.yaml']);
  assert.match(globProblem('clusters/[z-a]/cluster.yaml')!, /invalid character class \[z-a\]/);
});
