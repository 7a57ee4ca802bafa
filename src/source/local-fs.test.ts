import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildKustomization } from '../render/index.js';
import { localFs } from './local-fs.js';

// Found while fuzzing bad input (test/fuzz): a FIFO named as a resource made readFileSync wait
// for a writer forever, and a link to /dev/zero read without end. localFs reads regular files only.
test('localFs refuses FIFOs and devices instead of blocking or reading without end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-local-fs-'));
  try {
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources:\n- fifo.yaml\n');
    assert.equal(localFs.stat(join(dir, 'fifo.yaml'))?.kind, 'file');
    assert.throws(() => localFs.readFile(join(dir, 'fifo.yaml')), (e: NodeJS.ErrnoException) => e.code === 'ENOTREG' && /is a FIFO, not a regular file/.test(e.message));
    assert.throws(() => localFs.readFile(join(dir, 'zero.yaml')), (e: NodeJS.ErrnoException) => e.code === 'ENOTREG' && /is a device/.test(e.message));
    const built = buildKustomization(dir, { fs: localFs });
    assert.equal(built.ok, false);
    if (built.ok) return;
    assert.equal(built.issues[0]!.code, 'FILE_UNREADABLE');
    assert.match(built.issues[0]!.message, /resources\[0\]: fifo\.yaml: cannot be read: .*is a FIFO/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
