import type { Command } from 'commander';
import { FlotillaError } from '../../core/index.js';
import { clusterStatus, runLimited, type TargetStatus } from '../../reconcile/index.js';
import type { CliContext } from '../context.js';
import { exitCodes } from '../exit.js';
import { connectClusters, groupByCluster, openFleetTargets, type TargetChoice } from './sync.js';

interface StatusCommandOptions extends TargetChoice {
  hub?: string;
  token?: string;
  concurrency?: string;
}

/** StatusRow is one line of the table, from the clusters or from a hub. */
interface StatusRow {
  cluster: string;
  release: string;
  revision?: string;
  sync: string;
  health: string;
  drift: number;
  message: string;
  /** From a hub: `pull` when an agent reconciles the cluster and the hub only observes it. */
  mode?: 'push' | 'pull';
}

/**
 * registerStatus adds `flotilla status`: a table of clusters × releases with the revision each
 * cluster has, its sync state, health and drift. Without --hub it reads every cluster itself (the
 * inventories, the live objects' health and drift); with --hub it asks the hub's API.
 */
export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('Show clusters × releases: revision, sync state, health and drift')
    .option('--cluster <name>', 'only this cluster')
    .option('--selector <selector>', 'only clusters whose labels match')
    .option('--release <name>', 'only this release')
    .option('--hub <url>', 'ask this hub instead of reading the clusters')
    .option('--token <token>', 'the hub token (default: $FLOTILLA_TOKEN)')
    .option('--concurrency <n>', 'clusters read at the same time', '8')
    .action(async (opts: StatusCommandOptions, command: Command) => {
      let rows: StatusRow[];
      if (opts.hub) rows = await hubStatus(opts.hub, opts.token ?? process.env.FLOTILLA_TOKEN, opts);
      else {
        const opened = openFleetTargets(ctx, command, opts);
        if (!opened) return;
        const connect = connectClusters(command);
        const perCluster = await runLimited(groupByCluster(opened.targets), Number(opts.concurrency ?? 8) || 8, async (targets): Promise<TargetStatus[]> => {
          const record = targets[0]!.target.cluster;
          let port;
          try {
            port = connect(record);
          } catch (error) {
            if (!(error instanceof FlotillaError)) throw error;
            return targets.map((t) => ({ cluster: record.name, release: t.target.release.name, desiredRevision: opened.revision, sync: 'Failed', health: 'Unknown', drift: 0, message: error.message, errors: [error] }));
          }
          try {
            return await clusterStatus(port, record, targets, opened.fleet.guards, opened.revision);
          } finally {
            port.close();
          }
        });
        rows = perCluster.flat();
      }
      if (ctx.format() === 'json') ctx.stdout.write(JSON.stringify({ targets: rows }, null, 2) + '\n');
      else printTable(ctx, rows);
      if (rows.some((r) => r.sync === 'Failed' || r.sync === 'Unreachable')) ctx.setExitCode(exitCodes.error);
    });
}

/** hubStatus reads the targets from a hub's API (GET /api/v1/targets with the bearer token). */
async function hubStatus(hub: string, token: string | undefined, choice: TargetChoice): Promise<StatusRow[]> {
  const url = new URL('/api/v1/targets', hub);
  let answer: Response;
  try {
    answer = await fetch(url, { headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new FlotillaError('KUBE_UNREACHABLE', `hub ${url.origin}: no answer: ${(error as Error).message}`, { hint: 'Check the --hub URL and that `flotilla serve` runs there.' });
  }
  if (!answer.ok) {
    throw new FlotillaError('KUBE_REQUEST_FAILED', `hub ${url.origin}: GET /api/v1/targets answered ${answer.status}`, { hint: answer.status === 401 || answer.status === 403 ? 'Give a viewer token with --token or FLOTILLA_TOKEN.' : undefined });
  }
  const body = (await answer.json()) as unknown;
  const modes = await clusterModes(hub, token);
  const list = Array.isArray(body) ? body : Array.isArray((body as { targets?: unknown }).targets) ? (body as { targets: unknown[] }).targets : [];
  return list
    .map((item) => item as Record<string, unknown>)
    .map((t) => ({
      cluster: String(t.cluster ?? ''),
      release: String(t.release ?? ''),
      revision: typeof t.revision === 'string' ? t.revision : undefined,
      sync: String(t.sync ?? t.syncStatus ?? t.sync_status ?? 'Unknown'),
      health: String(t.health ?? t.healthStatus ?? t.health_status ?? 'Unknown'),
      drift: typeof t.drift === 'number' ? t.drift : Array.isArray(t.drift) ? t.drift.length : 0,
      message: String(t.message ?? ''),
      ...(modes.has(String(t.cluster)) ? { mode: modes.get(String(t.cluster)) } : {}),
    }))
    .filter((r) => (choice.cluster === undefined || r.cluster === choice.cluster) && (choice.release === undefined || r.release === choice.release));
}

/**
 * clusterModes reads which clusters a hub reconciles itself (push) and which an agent reconciles
 * (pull), from GET /api/v1/clusters; a hub that does not answer it leaves the MODE column out.
 */
async function clusterModes(hub: string, token: string | undefined): Promise<Map<string, 'push' | 'pull'>> {
  try {
    const answer = await fetch(new URL('/api/v1/clusters', hub), { headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(15_000) });
    if (!answer.ok) return new Map();
    const clusters = ((await answer.json()) as { clusters?: { name?: unknown; mode?: unknown }[] }).clusters ?? [];
    return new Map(clusters.filter((c) => typeof c.name === 'string' && (c.mode === 'push' || c.mode === 'pull')).map((c) => [c.name as string, c.mode as 'push' | 'pull']));
  } catch {
    return new Map();
  }
}

function printTable(ctx: CliContext, rows: readonly StatusRow[]): void {
  // MODE only when a hub said it: pull clusters are reconciled by their agents, which report here.
  const withMode = rows.some((r) => r.mode !== undefined);
  const header = ['CLUSTER', ...(withMode ? ['MODE'] : []), 'RELEASE', 'REVISION', 'SYNC', 'HEALTH', 'DRIFT', 'MESSAGE'];
  const lines = rows.map((r) => [r.cluster, ...(withMode ? [r.mode ?? '-'] : []), r.release, r.revision ? r.revision.slice(0, 12) : '-', r.sync, r.health, String(r.drift), r.message]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (i === header.length - 1 ? 0 : l[i]!.length))));
  const format = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  ctx.stdout.write(format(header) + '\n');
  for (const l of lines) ctx.stdout.write(format(l) + '\n');
}
