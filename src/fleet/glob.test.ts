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
