// Hostile and broken input for the renderer: each case must end in a clear FlotillaError (a
// stable code, a message naming the file and field) within a second, never a crash or a hang.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFlotillaError, type ErrorCode } from '../../src/core/index.js';
import { buildKustomization } from '../../src/render/index.js';
import { localFs } from '../../src/source/index.js';

let root: string;

function write(rel: string, text: string): void {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "1"\n`;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'flotilla-bad-input-'));
  // An alias bomb: nine levels of nine aliases each would expand to 9^9 strings.
  const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 9; i++) {
    const prev = String.fromCharCode(96 + i);
    const name = String.fromCharCode(97 + i);
    levels.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  write('bomb/kustomization.yaml', 'resources:\n- bomb.yaml\n');
  write('bomb/bomb.yaml', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  ${levels.join('\n  ')}\n`);

  // A 50 MB resource file, written in chunks.
  write('huge/kustomization.yaml', 'resources:\n- huge.yaml\n');
  const fd = openSync(join(root, 'huge/huge.yaml'), 'w');
  writeSync(fd, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n');
  const chunk = Array.from({ length: 10_000 }, (_, i) => `  k${i}: "${'x'.repeat(90)}"\n`).join('');
  for (let written = 0; written < 50 * 1024 * 1024; written += chunk.length) writeSync(fd, chunk);
  closeSync(fd);

  // `../` to a file outside the kustomization root.
  write('outside/secret.yaml', configMap('stolen'));
  write('dotdot/app/kustomization.yaml', 'resources:\n- ../../outside/secret.yaml\n');

  // A symbolic link inside the root that leads outside it.
  write('linked/kustomization.yaml', 'resources:\n- innocent.yaml\n');
  symlinkSync(join(root, 'outside/secret.yaml'), join(root, 'linked/innocent.yaml'));

  // Two kustomizations that include each other, and one that includes its own parent directory.
  write('cycle/a/kustomization.yaml', 'resources:\n- ../b\n');
  write('cycle/b/kustomization.yaml', 'resources:\n- ../a\n');
  write('cycle/self/child/kustomization.yaml', 'resources:\n- ..\n');
  write('cycle/self/kustomization.yaml', 'resources:\n- child\n');

  // Unknown fields, at the top and nested.
  write('unknown/kustomization.yaml', 'resources:\n- cm.yaml\nnamePrefx: x-\n');
  write('unknown/cm.yaml', configMap('cm'));
  write('unknown-nested/kustomization.yaml', 'configMapGenerator:\n- name: x\n  literal:\n  - A=1\n');
  write('wrong-type/kustomization.yaml', 'resources: cm.yaml\n');
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

function expectError(dir: string, code: ErrorCode, mentions: RegExp[]): void {
  const result = buildKustomization(join(root, dir), { fs: localFs });
  assert.equal(result.ok, false, `${dir} built without an error`);
  if (result.ok) return;
  const issue = result.issues[0]!;
  assert.ok(isFlotillaError(issue));
  assert.equal(issue.code, code, issue.message);
  for (const m of mentions) assert.match(issue.message, m);
}

test('an alias bomb ends in YAML_ALIAS_LIMIT naming the file', { timeout: 1000 }, () => {
  expectError('bomb', 'YAML_ALIAS_LIMIT', [/bomb\.yaml/, /alias/]);
});

test('a 50 MB resource file ends in FILE_TOO_LARGE before it is read', { timeout: 1000 }, () => {
  expectError('huge', 'FILE_TOO_LARGE', [/huge\.yaml/, /limit/]);
});

test('a ../ path to a file outside the kustomization root is refused', { timeout: 1000 }, () => {
  expectError('dotdot/app', 'PATH_OUTSIDE_ROOT', [/kustomization\.yaml/, /resources\[0\]/, /outside the kustomization root/]);
});

test('a symbolic link leading outside the root is resolved and refused', { timeout: 1000 }, () => {
  expectError('linked', 'PATH_OUTSIDE_ROOT', [/resources\[0\]/, /innocent\.yaml/, /outside/]);
});

test('kustomizations that include each other end in RENDER_CYCLE', { timeout: 1000 }, () => {
  expectError('cycle/a', 'RENDER_CYCLE', [/resources\[0\]/, /cycle/]);
  expectError('cycle/self', 'RENDER_CYCLE', [/resources\[0\]/, /cycle/]);
});

test('unknown fields and wrong types are RENDER_KUSTOMIZATION_INVALID naming the field', { timeout: 1000 }, () => {
  expectError('unknown', 'RENDER_KUSTOMIZATION_INVALID', [/kustomization\.yaml/, /namePrefx/, /namePrefix/]);
  expectError('unknown-nested', 'RENDER_KUSTOMIZATION_INVALID', [/configMapGenerator\[0\]\.literal\b/]);
  expectError('wrong-type', 'RENDER_KUSTOMIZATION_INVALID', [/resources/, /expected a list/]);
});
