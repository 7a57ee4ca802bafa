import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runCli } from '../program.js';

const root = new URL('../../../', import.meta.url).pathname;
const cases = join(root, '../shared/kustomize-conformance/cases');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const code = await runCli(args, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

test('flotilla build DIR prints what kustomize build printed, byte for byte, and exits 0', () => {
  const dir = join(cases, 'configmapgen-literals-files-envs');
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'build', join(dir, 'input')], { encoding: 'utf8', cwd: root });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, readFileSync(join(dir, 'expected.yaml'), 'utf8'));
});

test('a failing build exits 1 with the code, the file and field, and a hint', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'build', join(cases, 'error-unknown-kustomization-field/input')], { encoding: 'utf8', cwd: root });
  assert.equal(result.status, 1);
  assert.equal(result.stdout, '');
  assert.match(result.stderr, /error \[RENDER_KUSTOMIZATION_INVALID\]: kustomization\.yaml: unknown field "commonLabel"/);
  assert.match(result.stderr, /hint: /);
});

test('--output json prints the objects, or the error, as JSON', async () => {
  const ok = await run(['--output', 'json', 'build', join(cases, 'sort-fifo/input')]);
  assert.equal(ok.code, 0);
  const objects = JSON.parse(ok.stdout) as { kind: string }[];
  assert.deepEqual(objects.map((o) => o.kind), ['Service', 'Deployment', 'RoleBinding', 'ServiceAccount', 'Namespace', 'ConfigMap']);
  const failed = await run(['-o', 'json', 'build', join(cases, 'error-missing-resource-file/input')]);
  assert.equal(failed.code, 1);
  const error = (JSON.parse(failed.stdout) as { error: { code: string; file: string; field: string } }).error;
  assert.equal(error.code, 'RENDER_RESOURCE_NOT_FOUND');
  assert.equal(error.file, 'kustomization.yaml');
  assert.equal(error.field, 'resources[1]');
});

test('--explain names the file and step behind every field', async () => {
  const text = await run(['build', '--explain', join(cases, 'generator-options-global-and-local/input')]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^# ConfigMap\/mailer-routing$/m);
  assert.match(text.stdout, /data\.DEFAULT_ROUTE\s+"ses"\s+← kustomization\.yaml configMapGenerator\[1\]\.literals\[0\] \(generator\)/);
  const json = await run(['-o', 'json', 'build', '--explain', join(cases, 'resources-files-basic/input')]);
  const first = (JSON.parse(json.stdout) as { object: unknown; provenance: Record<string, { file: string; layer: string }> }[])[0]!;
  assert.equal(first.provenance['']!.layer, 'resource');
  assert.match(first.provenance['']!.file, /\.yaml$/);
});
