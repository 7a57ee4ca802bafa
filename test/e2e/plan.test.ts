// `flotilla plan` and `flotilla explain` driven as a user drives them in a checkout and in CI: the
// command line, the current directory as the fleet, what goes to stdout and stderr, exit codes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { gitFleet, type GitFleet } from '../support/git-fleet.js';

const root = new URL('../../', import.meta.url).pathname;
// The fleet is the current directory, outside this package: tsx is named by its resolved path.
const tsx = import.meta.resolve('tsx');

function flotilla(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', tsx, join(root, 'src/cli/main.ts'), ...args], { encoding: 'utf8', cwd });
}

const repos: GitFleet[] = [];
after(() => repos.forEach((r) => r.remove()));

test('in a pull-request checkout, plan compares with the fork point and prints a comment on stdout only', () => {
  const repo = gitFleet();
  repos.push(repo);
  repo.git('checkout', '-q', '-b', 'raise-replicas');
  repo.replace('base/monitoring-namespace.yaml', 'purpose: observability', 'purpose: metrics');
  repo.commit('relabel the monitoring namespace');

  const md = flotilla(['plan', '--head', 'HEAD', '--output', 'markdown', '--detailed-exitcode'], repo.dir);
  assert.equal(md.status, 2, md.stderr);
  assert.equal(md.stderr, '');
  assert.match(md.stdout, /^### Flotilla plan\n\n\*\*6 objects change in 6 clusters\*\*\n\nBase `[0-9a-f]{7} \(merge-base with main\)` → head `HEAD \([0-9a-f]{7}\)`\./);

  const json = flotilla(['plan', '-o', 'json'], repo.dir);
  assert.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { summary: Record<string, number>; targets: unknown[] };
  assert.deepEqual(parsed.summary, { clusters: 6, objects: 6, blocked: 0, errors: 0 });
});

test('explain from the fleet directory names the file that set a field', () => {
  const repo = gitFleet();
  repos.push(repo);
  const run = flotilla(['explain', '--cluster', 'prod-us-east', 'Namespace/monitoring', '--field', 'metadata.annotations.security.policy/level'], repo.dir);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /metadata\.annotations\["security\.policy\/level"\] +"strict" +environments\/production\/kustomization\.yaml/);
  const usage = flotilla(['explain', 'Namespace/monitoring'], repo.dir);
  assert.equal(usage.status, 1);
  assert.match(usage.stderr, /required option '--cluster <name>' not specified/);
});
