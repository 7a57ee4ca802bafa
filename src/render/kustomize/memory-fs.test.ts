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
