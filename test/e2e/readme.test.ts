// The README's two command lines, as written. The first is run in a fresh clone of the repository
// at HEAD (the committed state: work not committed is not in the clone) until the demo's dashboard
// answers. The second (`bash scripts/setup.sh && npm test`) is not run here, because it would run
// this suite again inside itself; CI runs it (.ci/run), so the test checks that .ci/run runs
// exactly the README's line.
//
// The trade-off: `npm install` would download every dependency again (minutes, and the network).
// The clone instead uses this checkout's node_modules through a symlink, and in place of
// `npm install` runs `npm run prepare`, the build that `npm install` runs after installing (the
// CLI and the dashboard into dist/). So what the test proves is that the committed sources build
// and start the demo from a clean tree with the locked dependencies; that the lock file installs
// on a fresh machine is CI's part (`npm ci` in scripts/setup.sh). The demo's line gets `--port 0`
// appended (a free port: the suite may run beside a real hub on 8080) and TMPDIR points into the
// test's directory, where the demo makes its temporary directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoClusters, demoListening, exampleClusterNames, startDemoProcess } from '../support/demo.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** readmeCommandLines returns the command lines of the README's first `sh` block, comments removed. */
function readmeCommandLines(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /^```sh\n([\s\S]*?)^```/m.exec(readme)?.[1];
  assert.ok(block, 'README.md has a ```sh block');
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

test("the README's second line is what CI runs", () => {
  const [, tests] = readmeCommandLines();
  const ci = readFileSync(join(root, '.ci', 'run'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#') && !l.startsWith('set ') && !l.startsWith('cd '));
  assert.equal(tests, 'bash scripts/setup.sh && npm test');
  assert.deepEqual(ci, [tests]);
});

test('the package ships what the first line runs: bin, dist (with the dashboard) and the example fleet', () => {
  const files = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { files: string[] }).files;
  for (const f of ['bin', 'dist', 'examples']) assert.ok(files.includes(f), `package.json "files" has ${f}`);
});

test("the README's first line, in a fresh clone, starts the demo until its dashboard answers", { timeout: 300_000 }, async () => {
  const [demoLine] = readmeCommandLines();
  const steps = demoLine!.split(/\s*&&\s*/);
  assert.equal(steps[0], 'npm install', `the first line starts with npm install: ${demoLine}`);
  const rest = steps.slice(1).join(' && ');
  assert.match(rest, /\bdemo$/, 'the first line ends in the demo command, so --port can be appended');

  const work = mkdtempSync(join(tmpdir(), 'flotilla-readme-'));
  const clone = join(work, 'flotilla');
  const temp = join(work, 'tmp');
  mkdirSync(temp);
  try {
    execFileSync('git', ['clone', '-q', root, clone], { stdio: 'pipe' });
    symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
    assert.equal(existsSync(join(clone, 'dist')), false, 'the clone starts without a build');
    // `npm install` in place: its prepare step (the build of the CLI and the dashboard).
    execFileSync('npm', ['run', 'prepare', '--silent'], { cwd: clone, stdio: 'pipe', env: { ...process.env, npm_config_update_notifier: 'false' } });
    assert.ok(existsSync(join(clone, 'dist', 'web', 'index.html')), 'the build made the dashboard');

    const demo = startDemoProcess(`${rest} --port 0`, clone, { TMPDIR: temp });
    try {
      const { url, admin } = await demoListening(demo, 60_000);
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await page.text(), /<!doctype html>/i);
      assert.deepEqual(await demoClusters(url, admin, 30_000), exampleClusterNames);
      demo.child.kill('SIGTERM');
      const code = await Promise.race([demo.exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 15_000))]);
      assert.equal(code, 0, `the demo stops on SIGTERM\nstderr:\n${demo.stderr()}`);
    } finally {
      if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
    }
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    if (e.stdout || e.stderr) throw new Error(`${(error as Error).message}\n${String(e.stdout ?? '')}\n${String(e.stderr ?? '')}`);
    throw error;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
