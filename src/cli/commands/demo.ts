import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { createHubLogger, HubRuntime } from '../../api/index.js';
import { FlotillaError } from '../../core/index.js';
import { parseYamlStream } from '../../manifest/index.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import type { CliContext } from '../context.js';
import { logLevelOption, portOption, waitForSignal } from '../runtime-options.js';

// `flotilla demo`: the whole product on one machine from nothing. The example fleet becomes a Git
// repository of its own (so the person trying it can commit to it), its six cluster records get a
// sandbox cluster each, and a hub with the dashboard follows the repository every few seconds.

interface DemoOptions {
  dir?: string;
  port: string;
  interval: string;
  readyDelay: string;
  logLevel: string;
}

/** DemoTokens are the three API tokens of a demo hub, one per role people use. */
export interface DemoTokens {
  admin: string;
  operator: string;
  viewer: string;
}

/** DemoPaths is where a demo keeps its parts: DIR/fleet (the repository), kubeconfigs, tokens, hub data. */
export interface DemoPaths {
  dir: string;
  fleet: string;
  kubeconfig: string;
  tokens: string;
  data: string;
}

/** demoPaths lays out a demo directory. */
export function demoPaths(dir: string): DemoPaths {
  return { dir, fleet: join(dir, 'fleet'), kubeconfig: join(dir, 'kubeconfig'), tokens: join(dir, 'tokens.yaml'), data: join(dir, 'hub') };
}

/**
 * packageRoot finds the Flotilla package this code belongs to (the directory of its package.json),
 * whether it runs compiled from dist/src/cli/commands or from src/cli/commands with tsx, in a
 * checkout or an installed package.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'flotilla') return dir;
      } catch {
        // Not ours (or unreadable): keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new FlotillaError('USAGE', 'flotilla demo cannot find its own package directory (package.json named "flotilla")', { hint: 'Run the demo from a Flotilla checkout or an installed flotilla package.' });
    dir = parent;
  }
}

function git(cwd: string, args: string[]): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') {
      throw new FlotillaError('GIT_FAILED', 'flotilla demo needs git, and there is no git command on this machine', {
        hint: 'Install git (Debian/Ubuntu: `sudo apt-get install git`; Fedora: `sudo dnf install git`; macOS: `xcode-select --install`) and run `flotilla demo` again.',
      });
    }
    throw new FlotillaError('GIT_FAILED', `git ${args.join(' ')} failed in ${cwd}: ${String(e.stderr ?? e.message).trim()}`, { file: cwd, cause: error });
  }
}

/**
 * createDemoRepository copies the example fleet into `fleet` and commits it on branch main with a
 * local identity, so it works on a machine where git has never been configured. An existing demo
 * repository (a Git checkout) is kept as it is; any other existing directory is refused.
 */
export function createDemoRepository(example: string, fleet: string): { created: boolean; commit: string } {
  if (existsSync(fleet)) {
    if (!existsSync(join(fleet, '.git'))) {
      throw new FlotillaError('USAGE', `${fleet} exists and is not the Git repository of an earlier demo`, { file: fleet, hint: 'Give --dir a new or empty directory, or the directory of an earlier `flotilla demo`.' });
    }
    return { created: false, commit: git(fleet, ['rev-parse', 'HEAD']).trim() };
  }
  git(dirname(fleet), ['--version']);
  cpSync(example, fleet, { recursive: true });
  try {
    git(fleet, ['init', '-q', '-b', 'main']);
    git(fleet, ['config', 'user.name', 'Flotilla Demo']);
    git(fleet, ['config', 'user.email', 'demo@flotilla.invalid']);
    git(fleet, ['config', 'commit.gpgsign', 'false']);
    git(fleet, ['add', '.']);
    git(fleet, ['commit', '-q', '-m', 'The demo fleet: six clusters, three environments, two regions']);
    return { created: true, commit: git(fleet, ['rev-parse', 'HEAD']).trim() };
  } catch (error) {
    // Half a repository would be refused by the next start; without it the next start begins afresh.
    rmSync(fleet, { recursive: true, force: true });
    throw error;
  }
}

/** demoClusterContexts reads the kubeconfig context each cluster record of a fleet names (its name by default). */
export function demoClusterContexts(fleet: string): string[] {
  const dir = join(fleet, 'clusters');
  const contexts: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = join(dir, name, 'cluster.yaml');
    if (!existsSync(file)) continue;
    const docs = parseYamlStream(readFileSync(file, 'utf8'), { file });
    if (!docs.ok) throw new FlotillaError('USAGE', `${file} does not read as YAML`, { file });
    const record = docs.value[0]?.value as { metadata?: { name?: string }; spec?: { connection?: { context?: string } } } | undefined;
    contexts.push(record?.spec?.connection?.context ?? record?.metadata?.name ?? name);
  }
  if (contexts.length === 0) throw new FlotillaError('USAGE', `${dir} has no cluster records`, { file: dir });
  return contexts;
}

/** writeDemoTokens writes a tokens file (mode 0600) with a random admin, operator and viewer token. */
export function writeDemoTokens(file: string): DemoTokens {
  const tokens: DemoTokens = { admin: randomBytes(24).toString('hex'), operator: randomBytes(24).toString('hex'), viewer: randomBytes(24).toString('hex') };
  const text = (Object.keys(tokens) as Array<keyof DemoTokens>).map((role) => `- {name: demo-${role}, role: ${role}, token: ${tokens[role]}}\n`).join('');
  writeFileSync(file, `# The demo hub's API tokens (flotilla demo writes new ones at every start).\n${text}`, { mode: 0o600 });
  return tokens;
}

function seconds(flag: string, text: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new FlotillaError('USAGE', `${flag} ${text} is not a duration such as 500ms, 5s or 1m`);
  const n = Number(match[1]);
  const ms = match[2] === 'ms' ? n : match[2] === 'm' ? n * 60_000 : n * 1000;
  if (!(ms > 0) && flag !== '--ready-delay') throw new FlotillaError('USAGE', `${flag} must be longer than 0`);
  return ms;
}

/** shellQuote quotes a path for the copy-paste commands only when it needs it. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function thingsToTry(paths: DemoPaths, url: string, tokens: DemoTokens, bin: string): string {
  const fleet = shellQuote(paths.fleet);
  const kubectl = `kubectl --kubeconfig ${shellQuote(paths.kubeconfig)} --context dev-us-east -n web`;
  const sedInPlace = process.platform === 'darwin' ? "sed -i ''" : 'sed -i';
  const flotilla = `node ${shellQuote(bin)}`;
  return [
    'things to try, in another terminal:',
    '  1. commit a change and watch it roll out wave by wave: dev, then staging (a 2-minute soak), then production after an approval:',
    `       cd ${fleet} && ${sedInPlace} 's/nginx:1.27/nginx:1.28/' apps/web/base/deployment.yaml && git commit -qam "web: nginx 1.28"`,
    '  2. edit a live object (with kubectl) and watch the hub put it back within seconds:',
    `       ${kubectl} scale deployment web --replicas=5`,
    `       ${kubectl} get deployment web -w`,
    '  3. approve the production wave once the rollout waits for it (rollout status says so):',
    `       ${flotilla} rollout status web --hub ${url} --token ${tokens.operator}`,
    `       ${flotilla} rollout approve web --hub ${url} --token ${tokens.operator}`,
    `  the dashboard: open ${url} and sign in with a token above; stop the demo with Ctrl-C`,
    '',
  ].join('\n');
}

/**
 * registerDemo adds `flotilla demo` (SPEC §8): a demo fleet repository, six sandbox clusters, the
 * hub and the dashboard in one command. It prints `listening on http://HOST:PORT` and the tokens on
 * stdout, progress on a terminal only, and runs until SIGINT or SIGTERM.
 */
export function registerDemo(program: Command, ctx: CliContext): void {
  program
    .command('demo')
    .description('Start a demo fleet repository, six sandbox clusters, the hub and the dashboard in one command')
    .option('--dir <dir>', 'where the demo keeps its repository (DIR/fleet), kubeconfig, tokens and hub data (default: a new temporary directory); an earlier demo directory is reused')
    .option('--port <port>', 'the port of the hub and dashboard (0 picks a free one)', '8080')
    .option('--interval <duration>', 'how often the hub fetches the demo repository', '5s')
    .option('--ready-delay <duration>', 'how long sandbox workloads take to become available', '500ms')
    .addOption(logLevelOption('the lowest hub log level written to stderr', 'warn'))
    .action(async (opts: DemoOptions) => {
      const port = portOption(opts.port);
      const intervalMs = seconds('--interval', opts.interval);
      const readyDelayMs = seconds('--ready-delay', opts.readyDelay);
      const progress = (line: string) => {
        if (ctx.stderr.isTTY && ctx.format() === 'text') ctx.stderr.write(`${line}\n`);
      };
      const root = packageRoot();
      const example = join(root, 'examples', 'fleet');
      if (!existsSync(join(example, 'flotilla.yaml'))) {
        throw new FlotillaError('USAGE', `the example fleet is missing from the package: ${example}`, { file: example, hint: 'Reinstall flotilla; the package ships examples/fleet.' });
      }

      let dir: string;
      if (opts.dir !== undefined) {
        dir = resolve(opts.dir);
        mkdirSync(dir, { recursive: true });
      } else {
        dir = mkdtempSync(join(tmpdir(), 'flotilla-demo-'));
      }
      const paths = demoPaths(dir);
      progress(`demo directory ${dir}`);
      const repo = createDemoRepository(example, paths.fleet);
      progress(`${repo.created ? 'created' : 'reusing'} the demo fleet repository ${paths.fleet} (commit ${repo.commit.slice(0, 12)})`);

      const contexts = demoClusterContexts(paths.fleet);
      progress(`starting ${contexts.length} sandbox clusters: ${contexts.join(', ')}`);
      const sandbox: Sandbox = await startSandbox({ clusters: contexts, dir, controllers: { readyDelayMs } });
      let hub: HubRuntime | undefined;
      try {
        const tokens = writeDemoTokens(paths.tokens);
        // The clusters are new, so what an earlier demo's hub recorded about them no longer holds.
        rmSync(paths.data, { recursive: true, force: true });
        progress(`starting the hub (it fetches ${paths.fleet} every ${opts.interval})`);
        hub = await HubRuntime.start({
          repo: pathToFileURL(paths.fleet).href,
          branch: 'main',
          intervalMs,
          dataDir: paths.data,
          port,
          host: '127.0.0.1',
          tokensFile: paths.tokens,
          // Nothing pushes to the demo repository's webhook; a secret only keeps the hub from warning.
          webhookSecret: randomBytes(24).toString('hex'),
          kubeconfig: { path: paths.kubeconfig },
          logger: createHubLogger({ format: 'text', level: opts.logLevel, destination: ctx.stderr }),
        });
        if (ctx.format() === 'json') {
          ctx.stdout.write(JSON.stringify({ url: hub.url, tokens, dir, fleet: paths.fleet, kubeconfig: paths.kubeconfig, tokensFile: paths.tokens, data: paths.data, clusters: sandbox.clusters.map((c) => ({ name: c.name, url: c.url })) }, null, 2) + '\n');
        } else {
          ctx.stdout.write(
            `listening on ${hub.url}\n` +
              `admin token: ${tokens.admin}\n` +
              `operator token: ${tokens.operator}\n` +
              `viewer token: ${tokens.viewer}\n` +
              `fleet repository: ${paths.fleet}\n` +
              `kubeconfig: ${paths.kubeconfig} (contexts ${contexts.join(', ')})\n` +
              `hub data: ${paths.data}\n` +
              thingsToTry(paths, hub.url, tokens, join(root, 'bin', 'flotilla.js')),
          );
        }
        await waitForSignal();
        progress('stopping the hub and the sandbox clusters');
      } finally {
        await hub?.close();
        await sandbox.stop();
      }
      progress(`demo stopped; its files stay in ${dir}`);
    });
}
