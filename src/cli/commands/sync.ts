import type { Command } from 'commander';
import { FlotillaError, changeSetActions, countChanges, formatChangeSetEntry, formatRef, summarizeChanges, type ChangeSetCounts } from '../../core/index.js';
import { parseDuration, renderFleet, selectTargets, type Fleet, type LabelSelector } from '../../fleet/index.js';
import { kubeConnector, loadKubeconfig, systemClock } from '../../kube/index.js';
import { releaseRenderer } from '../../render/index.js';
import { parseLabelSelector } from '../../render/patch/index.js';
import { syncFleet, syncStates, type ClusterConnector, type FleetSyncResult, type SyncState, type TargetInput } from '../../reconcile/index.js';
import { localFs, resolveRevision } from '../../source/index.js';
import { createHelmRenderer } from '../../source/helm/index.js';
import type { CliContext } from '../context.js';
import { exitCodes } from '../exit.js';
import { checkFilter, helmOptionHelp, localRepoResolver, openLocalFleet } from './render.js';

/** TargetChoice is how sync, diff and status narrow the fleet's targets. */
export interface TargetChoice {
  cluster?: string;
  release?: string;
  selector?: string;
}

/** FleetTargets is a loaded fleet, its chosen targets rendered, and the revision they came from. */
export interface FleetTargets {
  fleet: Fleet;
  root: string;
  /** The commit of HEAD when the fleet is a Git checkout, else `local`. */
  revision: string;
  targets: TargetInput[];
}

/** parseSelectorOption reads `--selector` (kubectl's syntax: `env=prod,region in (eu,us),!legacy`) as a label selector. */
export function parseSelectorOption(text: string): LabelSelector {
  const parsed = parseLabelSelector(text, { field: '--selector' });
  if (!parsed.ok) throw new FlotillaError('USAGE', parsed.issues[0]!.message);
  const matchExpressions = parsed.value.map((r) => {
    switch (r.operator) {
      case 'equals':
        return { key: r.key, operator: 'In' as const, values: r.values };
      case 'notEquals':
        return { key: r.key, operator: 'NotIn' as const, values: r.values };
      case 'in':
        return { key: r.key, operator: 'In' as const, values: r.values };
      case 'notIn':
        return { key: r.key, operator: 'NotIn' as const, values: r.values };
      case 'exists':
        return { key: r.key, operator: 'Exists' as const };
      case 'notExists':
        return { key: r.key, operator: 'DoesNotExist' as const };
      default:
        throw new FlotillaError('USAGE', `--selector ${text}: ${r.operator === 'gt' ? '>' : '<'} does not apply to cluster labels`, { hint: 'Use =, !=, in, notin, a key alone or !key.' });
    }
  });
  return { matchExpressions };
}

/**
 * openFleetTargets loads the fleet of --fleet, checks the filters, and renders the chosen targets
 * from the working tree (as `flotilla render` does). It prints the fleet's problems and answers
 * undefined when the fleet does not load.
 */
export function openFleetTargets(ctx: CliContext, command: Command, choice: TargetChoice): FleetTargets | undefined {
  const opened = openLocalFleet(ctx, command);
  if (!opened) return undefined;
  const { fleet, root } = opened;
  checkFilter(fleet, choice);
  const selector = choice.selector !== undefined ? parseSelectorOption(choice.selector) : undefined;
  const chosen = selectTargets(fleet, { cluster: choice.cluster, release: choice.release, selector });
  // Helm releases render with --helm where the command has it, else FLOTILLA_HELM or helm on PATH.
  const helm = createHelmRenderer({ helm: command.optsWithGlobals().helm as string | undefined });
  const results = renderFleet(fleet, { fs: localFs, root, renderer: releaseRenderer, cache: releaseRenderer.createCache(), targets: chosen, resolveRepo: localRepoResolver(root), helm });
  const head = resolveRevision(root, 'HEAD');
  return { fleet, root, revision: head.ok ? head.value : 'local', targets: results.map((r) => ({ target: r.target, render: r.result })) };
}

/** groupByCluster splits targets per cluster, clusters and targets in the order first seen: one connection serves each group. */
export function groupByCluster<T extends { target: { cluster: { name: string } } }>(items: Iterable<T>): T[][] {
  const byCluster = new Map<string, T[]>();
  for (const item of items) byCluster.set(item.target.cluster.name, [...(byCluster.get(item.target.cluster.name) ?? []), item]);
  return [...byCluster.values()];
}

/** ConnectOptions tune the cluster clients of a command. */
export interface ConnectOptions {
  /** Time allowed for one request. @default 10000 */
  timeoutMs?: number;
}

/** connectClusters opens the kubeconfig of --kubeconfig (else KUBECONFIG, else ~/.kube/config) and answers the connector per cluster record. */
export function connectClusters(command: Command, options: ConnectOptions = {}): ClusterConnector {
  const path = command.optsWithGlobals().kubeconfig as string | undefined;
  const kc = loadKubeconfig({ path, env: process.env.KUBECONFIG });
  return kubeConnector(kc, { timeoutMs: options.timeoutMs });
}

function countsText(counts: ChangeSetCounts): string {
  const parts = changeSetActions.filter((a) => counts[a] > 0).map((a) => `${counts[a]} ${a}`);
  return parts.length ? parts.join(', ') : 'no objects';
}

/** syncExitCode maps a fleet sync to SPEC §8's exit codes: 1 when anything failed or was unreachable, else 3 when a guard blocked, else 0. */
export function syncExitCode(result: Pick<FleetSyncResult, 'targets'>, dryRun = false): number {
  const states = new Set(result.targets.map((t) => t.sync));
  if (states.has('Failed') || states.has('Unreachable') || (!dryRun && states.has('OutOfSync'))) return exitCodes.error;
  if (states.has('Blocked')) return exitCodes.blocked;
  return exitCodes.ok;
}

interface SyncCommandOptions extends TargetChoice {
  dryRun?: boolean;
  concurrency?: string;
  requestTimeout?: string;
}

/**
 * registerSync adds `flotilla sync`: a one-shot sync of the chosen targets (SPEC §6, §8) with one
 * progress line per cluster on stderr, every object's result, and the exit codes of SPEC §8.
 */
export function registerSync(program: Command, ctx: CliContext): void {
  program
    .command('sync')
    .description('Apply the desired state of the chosen targets to their clusters once, prune, wait for health, and exit')
    .option('--cluster <name>', 'only this cluster')
    .option('--selector <selector>', 'only clusters whose labels match (kubectl syntax: env=prod,region in (eu,us))')
    .option('--release <name>', 'only this release')
    .option('--dry-run', 'compute the changes with server-side dry-runs; write nothing')
    .option('--concurrency <n>', 'clusters synced at the same time', '8')
    .option('--request-timeout <duration>', 'time allowed for one request to a cluster', '10s')
    .option('--helm <path>', helmOptionHelp)
    .action(async (opts: SyncCommandOptions, command: Command) => {
      const opened = openFleetTargets(ctx, command, opts);
      if (!opened) return;
      const concurrency = Number(opts.concurrency ?? 8);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new FlotillaError('USAGE', `--concurrency ${opts.concurrency} is not a positive whole number`);
      const timeoutMs = parseDuration(opts.requestTimeout ?? '10s');
      if (!(timeoutMs > 0)) throw new FlotillaError('USAGE', `--request-timeout ${opts.requestTimeout} is not a duration such as 10s`);
      const connect = connectClusters(command, { timeoutMs });
      const text = ctx.format() === 'text';
      const result = await syncFleet({
        fleet: opened.fleet,
        targets: opened.targets,
        revision: opened.revision,
        connect,
        clock: systemClock,
        options: {
          dryRun: opts.dryRun,
          concurrency,
          onProgress: (p) => {
            if (!text || p.type !== 'cluster-done') return;
            const counts = countChanges({ entries: p.result.targets.flatMap((t) => t.changes.entries) });
            ctx.stderr.write(`cluster ${p.cluster}: ${p.result.state} (${p.result.targets.length} ${p.result.targets.length === 1 ? 'release' : 'releases'}; ${countsText(counts)}) in ${(p.result.durationMs / 1000).toFixed(1)}s${p.result.state === 'Synced' ? '' : `: ${p.result.message}`}\n`);
          },
        },
      });
      if (text) printText(ctx, result, opened.revision, Boolean(opts.dryRun));
      else ctx.stdout.write(JSON.stringify(syncToJson(result, opened.revision, Boolean(opts.dryRun)), null, 2) + '\n');
      ctx.setExitCode(syncExitCode(result, opts.dryRun));
    });
}

function stateCounts(states: readonly SyncState[]): Record<SyncState, number> {
  const out = Object.fromEntries(syncStates.map((s) => [s, 0])) as Record<SyncState, number>;
  for (const s of states) out[s]++;
  return out;
}

/** syncToJson is the `--output json` shape of a fleet sync. */
export function syncToJson(result: FleetSyncResult, revision: string, dryRun: boolean): unknown {
  return {
    summary: {
      revision,
      dryRun,
      clusters: result.clusters.length,
      targets: result.targets.length,
      states: stateCounts(result.targets.map((t) => t.sync)),
      changes: countChanges({ entries: result.targets.flatMap((t) => t.changes.entries) }),
      durationMs: result.durationMs,
    },
    clusters: result.clusters.map((c) => ({ cluster: c.cluster, state: c.state, message: c.message, durationMs: c.durationMs, requests: c.requests })),
    targets: result.targets.map((t) => ({
      cluster: t.cluster,
      release: t.release,
      revision: t.revision,
      ...(t.contentHash ? { contentHash: t.contentHash } : {}),
      sync: t.sync,
      health: t.health,
      message: t.message,
      changes: t.changes.entries.map((e) => ({ object: formatRef(e.object), action: e.action, ...(e.reason ? { reason: e.reason } : {}) })),
      ...(t.inventory ? { inventory: t.inventory } : {}),
      guards: t.guards,
      errors: t.errors.map((e) => e.toJSON()),
    })),
  };
}

function printText(ctx: CliContext, result: FleetSyncResult, revision: string, dryRun: boolean): void {
  for (const t of result.targets) {
    ctx.stdout.write(`${t.key}: ${t.sync}, ${t.health}, ${summarizeChanges(t.changes)}${t.sync === 'Synced' ? '' : ` - ${t.message}`}\n`);
    for (const entry of t.changes.entries) {
      if (entry.action === 'unchanged') continue;
      ctx.stdout.write(`  ${formatChangeSetEntry(entry)}\n`);
    }
    for (const error of t.errors.slice(0, 5)) {
      if (error.message === t.message) continue;
      ctx.stderr.write(`error [${error.code}]: ${error.message}\n`);
    }
  }
  const states = stateCounts(result.targets.map((t) => t.sync));
  const parts = syncStates.filter((s) => states[s] > 0).map((s) => `${states[s]} ${s}`);
  const changes = countChanges({ entries: result.targets.flatMap((t) => t.changes.entries) });
  ctx.stderr.write(
    `${dryRun ? 'dry run: ' : ''}${result.targets.length} ${result.targets.length === 1 ? 'target' : 'targets'} in ${result.clusters.length} ${result.clusters.length === 1 ? 'cluster' : 'clusters'} at ${revision.slice(0, 12)}: ${parts.join(', ') || 'nothing to do'}; ${countsText(changes)} in ${(result.durationMs / 1000).toFixed(1)}s\n`,
  );
}
