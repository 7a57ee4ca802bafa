import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildKustomization } from './build.js';
import { memoryFs } from './memory-fs.js';

// Found by the fuzz suite (test/fuzz): `bases: [loop-a]` where loop-a and loop-b link to each
// other threw "too many levels of symbolic links" out of the build instead of an error value.
test('memoryFs.stat answers undefined for a loop of symbolic links, as a disk does, so a build reports it', () => {
  const fs = memoryFs({
    '/repo/app/kustomization.yaml': 'bases:\n- loop-a\n',
    '/repo/app/loop-a': { symlink: '/repo/app/loop-b' },
    '/repo/app/loop-b': { symlink: '/repo/app/loop-a' },
  });
  assert.equal(fs.stat('/repo/app/loop-a'), undefined);
  assert.throws(() => fs.realpath('/repo/app/loop-a'), /too many levels of symbolic links/);
  const result = buildKustomization('/repo/app', { fs, root: '/repo' });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.issues[0]!.code, 'RENDER_RESOURCE_NOT_FOUND');
  assert.match(result.issues[0]!.message, /kustomization\.yaml: resources\[0\]: "loop-a" does not exist/);
});

// Found by the fuzz suite (test/fuzz): with a link to an ancestor (clusters/a/loop -> /r/clusters)
// every path clusters/a/loop/a/loop/… resolved, however long, so a walk below it never ended. A
// kernel follows at most 40 links in one lookup; memoryFs now does the same.
test('memoryFs follows at most 40 links in one lookup, as the kernel does', () => {
  const fs = memoryFs({ '/r/clusters/a/cluster.yaml': '', '/r/clusters/a/loop': { symlink: '/r/clusters' } });
  assert.equal(fs.stat(`/r/clusters/a${'/loop/a'.repeat(40)}/cluster.yaml`)?.kind, 'file');
  assert.equal(fs.stat(`/r/clusters/a${'/loop/a'.repeat(41)}/cluster.yaml`), undefined);
});
