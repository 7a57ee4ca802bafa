import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { FlotillaError } from '../../core/index.js';
import { startSandbox } from '../../sandbox/index.js';
import type { CliContext } from '../context.js';

/** SandboxState is DIR/sandbox.json: how other processes find and stop a running `sandbox up`. */
export interface SandboxState {
  pid: number;
  startedAt: string;
  clusters: Array<{ name: string; url: string; port: number; fingerprint: string }>;
  kubeconfig: string;
  kubeconfigViewer: string;
  admin: { url: string; token: string };
}

const defaultDir = '.flotilla-sandbox';

function clusterOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 5000) throw new FlotillaError('USAGE', `--clusters ${value} is not a number of clusters between 1 and 5000`);
  return n;
}

function readState(dir: string): SandboxState | undefined {
  const file = join(dir, 'sandbox.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SandboxState;
  } catch (error) {
    throw new FlotillaError('SANDBOX_NOT_RUNNING', `${file} cannot be read: ${(error as Error).message}`, { file, hint: 'Remove the file and start the sandbox again.' });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** registerSandbox adds `flotilla sandbox up` and `flotilla sandbox down`: local clusters that answer the Kubernetes API. */
export function registerSandbox(program: Command, ctx: CliContext): void {
  const sandbox = program.command('sandbox').description('Local Kubernetes-API-compatible clusters for demos and tests');

  sandbox
    .command('up')
    .description('Start sandbox clusters and serve them until `sandbox down` or Ctrl-C; writes DIR/kubeconfig and DIR/kubeconfig-viewer')
    .option('--clusters <n>', 'how many clusters (named cluster-1 … cluster-N)', clusterOption)
    .option('--names <names>', 'the cluster names, comma-separated (instead of --clusters)')
    .option('--dir <dir>', 'where to write kubeconfig, kubeconfig-viewer and sandbox.json', defaultDir)
    .option('--http', 'serve plain HTTP instead of HTTPS')
    .option('--ready-delay <ms>', 'how long rollouts take before workloads are available', (v) => Number(v), 1000)
    .option('--list-key-defaults', 'server-side apply fills a port\'s missing protocol, as servers from 1.20 on do (default: refused, as 1.19)')
    .action(async (opts: { clusters?: number; names?: string; dir: string; http?: boolean; readyDelay: number; listKeyDefaults?: boolean }) => {
      const dir = resolve(opts.dir);
      const names = opts.names?.split(',').map((n) => n.trim()).filter(Boolean);
      if (names && opts.clusters !== undefined && names.length !== opts.clusters) {
        throw new FlotillaError('USAGE', `--names gives ${names.length} names but --clusters says ${opts.clusters}`, { hint: 'Give one of them, or make them agree.' });
      }
      if (!Number.isFinite(opts.readyDelay) || opts.readyDelay < 0) throw new FlotillaError('USAGE', '--ready-delay must be a number of milliseconds');
      const previous = readState(dir);
      if (previous && alive(previous.pid)) {
        throw new FlotillaError('SANDBOX_START_FAILED', `a sandbox already runs for ${dir} (pid ${previous.pid})`, { file: join(dir, 'sandbox.json'), hint: `Stop it with \`flotilla sandbox down --dir ${opts.dir}\`, or use another --dir.` });
      }
      let stopRequested!: () => void;
      const stopping = new Promise<void>((r) => (stopRequested = r));
      const running = await startSandbox({
        clusters: names ?? opts.clusters ?? 1,
        dir,
        tls: !opts.http,
        controllers: { readyDelayMs: opts.readyDelay },
        listKeyDefaults: Boolean(opts.listKeyDefaults),
        adminEndpoint: true,
        onShutdownRequest: () => stopRequested(),
      });
      const state: SandboxState = {
        pid: process.pid,
        startedAt: new Date().toISOString(),
        clusters: running.clusters.map((c) => ({ name: c.name, url: c.url, port: c.port, fingerprint: c.fingerprint })),
        kubeconfig: running.kubeconfigPath!,
        kubeconfigViewer: running.viewerKubeconfigPath!,
        admin: { url: running.adminUrl!, token: running.adminToken },
      };
      const stateFile = join(dir, 'sandbox.json');
      writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
      const onSignal = () => stopRequested();
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      if (ctx.format() === 'json') {
        const { admin, ...shown } = state;
        ctx.stdout.write(JSON.stringify({ ...shown, admin: { url: admin.url } }, null, 2) + '\n');
      } else {
        for (const c of state.clusters) ctx.stdout.write(`cluster ${c.name} ${c.url}\n`);
        ctx.stdout.write(`kubeconfig ${state.kubeconfig}\nkubeconfig (viewer) ${state.kubeconfigViewer}\nadmin ${state.admin.url}\n`);
        ctx.stdout.write(`sandbox ready: ${state.clusters.length} cluster${state.clusters.length === 1 ? '' : 's'}; stop with \`flotilla sandbox down --dir ${opts.dir}\` or Ctrl-C\n`);
      }
      await stopping;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await running.stop();
      rmSync(stateFile, { force: true });
      if (ctx.format() === 'text') ctx.stdout.write('sandbox stopped\n');
    });

  sandbox
    .command('down')
    .description('Stop the sandbox started with `sandbox up --dir DIR`')
    .option('--dir <dir>', 'the directory given to `sandbox up`', defaultDir)
    .option('--timeout <ms>', 'how long to wait for it to stop', (v) => Number(v), 10_000)
    .action(async (opts: { dir: string; timeout: number }) => {
      const dir = resolve(opts.dir);
      const stateFile = join(dir, 'sandbox.json');
      const state = readState(dir);
      if (!state || !alive(state.pid)) {
        if (state) rmSync(stateFile, { force: true });
        throw new FlotillaError('SANDBOX_NOT_RUNNING', `no sandbox runs for ${dir}`, { file: stateFile });
      }
      // Ask the admin endpoint first (it works across users and containers); a signal is the fallback.
      let asked = false;
      try {
        const answer = await fetch(`${state.admin.url}/shutdown`, { method: 'POST', headers: { authorization: `Bearer ${state.admin.token}` }, signal: AbortSignal.timeout(2000) });
        asked = answer.status === 202;
      } catch {
        asked = false;
      }
      if (!asked) process.kill(state.pid, 'SIGTERM');
      const deadline = Date.now() + opts.timeout;
      while (alive(state.pid) && existsSync(stateFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (existsSync(stateFile) && alive(state.pid)) {
        throw new FlotillaError('SANDBOX_NOT_RUNNING', `the sandbox for ${dir} (pid ${state.pid}) did not stop within ${opts.timeout} ms`, { file: stateFile, hint: `Stop it with \`kill ${state.pid}\`.` });
      }
      if (ctx.format() === 'json') ctx.stdout.write(JSON.stringify({ stopped: true, pid: state.pid, dir }) + '\n');
      else ctx.stdout.write(`sandbox stopped (pid ${state.pid})\n`);
    });
}
