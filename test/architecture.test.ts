import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDependencies } from '../scripts/check-deps.js';

const root = new URL('..', import.meta.url).pathname;

test('the source tree keeps the dependency direction of ARCHITECTURE.md', () => {
  const violations = checkDependencies(root);
  assert.deepEqual(violations.map((v) => `src/${v.file}:${v.line}: ${v.message}`), []);
});

test('the checker reports an upward import, an adapter importing an adapter and I/O in a pure area', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-deps-'));
  for (const area of ['core', 'render', 'kube', 'store']) mkdirSync(join(dir, 'src', area), { recursive: true });
  writeFileSync(join(dir, 'src/core/a.ts'), "import { x } from '../render/b.js';\n");
  writeFileSync(join(dir, 'src/render/b.ts'), "import { readFileSync } from 'node:fs';\nexport const x = Date.now();\n");
  writeFileSync(join(dir, 'src/kube/c.ts'), "import { y } from '../store/d.js';\n");
  writeFileSync(join(dir, 'src/store/d.ts'), 'export const y = 1;\n');
  const messages = checkDependencies(dir).map((v) => v.message);
  assert.ok(messages.some((m) => m.includes('core (layer 0) may not import render')));
  assert.ok(messages.some((m) => m.includes('pure area render may not import node:fs')));
  assert.ok(messages.some((m) => m.includes('may not read the environment, the clock')));
  assert.ok(messages.some((m) => m.includes('adapter kube may not import adapter store')));
});
