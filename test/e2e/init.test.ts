// `flotilla init` as a user runs it: a new fleet repository that renders with no edits, whose
// cluster overlays the real kustomize builds the same way, and that never overwrites anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFlotilla } from '../support/git-fleet.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { toolPath } from '../../scripts/tools.js';

const root = new URL('../../', import.meta.url).pathname;
// The fleet lives outside this package: tsx is named by its resolved path.
const tsx = import.meta.resolve('tsx');

function flotilla(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd });
}

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'flotilla-init-'));
}

const sixClusters = ['dev-eu-west', 'dev-us-east', 'production-eu-west', 'production-us-east', 'staging-eu-west', 'staging-us-east'];

test('init then render works with no edits: six clusters, each overlay built as kubectl kustomize builds it', async () => {
  const dir = scratch();
  try {
    const init = flotilla(['init', 'platform'], dir);
    assert.equal(init.status, 0, init.stderr);
    assert.match(init.stdout, /^created fleet repository platform: 21 files\n/);
    assert.match(init.stdout, /6 clusters: dev-us-east, dev-eu-west, staging-us-east, staging-eu-west, production-us-east, production-eu-west\n/);
    assert.match(init.stdout, /flotilla render --fleet platform /);
    assert.equal(init.stderr, '');

    const fleet = join(dir, 'platform');
    const render = flotilla(['render', '--fleet', 'platform'], dir);
    assert.equal(render.status, 0, render.stderr);
    assert.equal(render.stderr, 'rendered 6 of 6 targets in 6 clusters\n');
    assert.deepEqual([...render.stdout.matchAll(/^# (\S+)$/gm)].map((m) => m[1]), sixClusters.map((c) => `${c}/cluster-config`));
    assert.match(render.stdout, /name: cluster-info\n {2}namespace: platform\n/);
    assert.equal(parse(readFileSync(join(fleet, 'flotilla.yaml'), 'utf8')).metadata.name, 'platform', 'the fleet is named after its directory');

    for (const cluster of ['dev-us-east', 'production-eu-west']) {
      const overlay = join(fleet, 'clusters', cluster);
      const ours = await runFlotilla(['build', overlay]);
      assert.equal(ours.status, 0, ours.stderr);
      const kustomize = execFileSync(toolPath('kubectl'), ['kustomize', overlay], { encoding: 'utf8' });
      assert.equal(ours.stdout, kustomize, cluster);
    }
    const readme = readFileSync(join(fleet, 'README.md'), 'utf8');
    assert.match(readme, /^# platform: the fleet repository\n/);
    assert.match(readme, /flotilla bootstrap dev-ap-south --label env=dev --label region=ap-south --context dev-ap-south --commit/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('init never overwrites: an existing file is named and nothing at all is written', async () => {
  const dir = scratch();
  try {
    writeFileSync(join(dir, 'README.md'), 'ours\n');
    mkdirSync(join(dir, 'base'));
    writeFileSync(join(dir, 'base', 'kustomization.yaml'), 'resources: []\n');
    const refused = await runFlotilla(['init', dir]);
    assert.equal(refused.status, 1);
    assert.equal(refused.stderr.split('\n')[0], `error [INIT_FILE_EXISTS]: ${dir}: 2 files exist already: README.md, base/kustomization.yaml; nothing was written`);
    assert.deepEqual(readdirSync(dir).sort(), ['README.md', 'base']);
    assert.equal(readFileSync(join(dir, 'README.md'), 'utf8'), 'ours\n');

    const fresh = join(dir, 'fleet');
    assert.equal((await runFlotilla(['init', fresh])).status, 0);
    writeFileSync(join(fresh, 'flotilla.yaml'), 'edited\n');
    const again = await runFlotilla(['init', fresh, '-o', 'json']);
    assert.equal(again.status, 1);
    assert.equal((JSON.parse(again.stdout) as { error: { code: string } }).error.code, 'INIT_FILE_EXISTS');
    assert.equal(readFileSync(join(fresh, 'flotilla.yaml'), 'utf8'), 'edited\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--envs, --regions and --name shape the fleet; --fleet is the default directory; JSON lists files and clusters', async () => {
  const dir = scratch();
  try {
    const result = await runFlotilla(['--fleet', dir, 'init', '--envs', 'dev, prod', '--regions', 'eu', '--name', 'shop', '-o', 'json']);
    assert.equal(result.status, 0, result.stderr);
    const json = JSON.parse(result.stdout) as { dir: string; files: string[]; clusters: string[] };
    assert.equal(json.dir, dir);
    assert.deepEqual(json.clusters, ['dev-eu', 'prod-eu']);
    assert.ok(json.files.includes('environments/prod/kustomization.yaml'));
    assert.ok(!existsSync(join(dir, 'environments', 'staging')));
    const fleet = parse(readFileSync(join(dir, 'flotilla.yaml'), 'utf8')) as { metadata: { name: string }; spec: { rollout: { waves: { name: string }[] } } };
    assert.equal(fleet.metadata.name, 'shop');
    assert.deepEqual(fleet.spec.rollout.waves.map((w) => w.name), ['dev', 'prod']);
    const render = await runFlotilla(['--fleet', dir, 'render', '-o', 'json']);
    assert.equal(render.status, 0, render.stderr);
    assert.deepEqual((JSON.parse(render.stdout) as { summary: unknown }).summary, { targets: 2, rendered: 2, blocked: 0, failed: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('init reports every bad name at once and writes nothing', async () => {
  const dir = scratch();
  try {
    const result = await runFlotilla(['init', dir, '--envs', 'Dev,qa,qa', '--regions', 'eu_west']);
    assert.equal(result.status, 1);
    assert.deepEqual(
      result.stderr.split('\n').filter((l) => l.startsWith('error')),
      [
        'error [USAGE]: --envs: "Dev" is not a DNS label: lower-case letters, digits and "-", starting and ending with a letter or digit',
        'error [USAGE]: --envs: "qa" is given twice',
        'error [USAGE]: --regions: "eu_west" is not a DNS label: lower-case letters, digits and "-", starting and ending with a letter or digit',
      ],
    );
    assert.match(result.stderr, /^3 problems$/m);
    assert.deepEqual(readdirSync(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
