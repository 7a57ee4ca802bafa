import type { Command } from 'commander';
import { FlotillaError } from '../../core/index.js';
import { formatValue } from '../../plan/index.js';
import { diffTarget, runLimited, type TargetDiff } from '../../reconcile/index.js';
import type { CliContext } from '../context.js';
import { exitCodes } from '../exit.js';
import { connectClusters, groupByCluster, openFleetTargets, type TargetChoice } from './sync.js';

interface DiffCommandOptions extends TargetChoice {
  detailedExitcode?: boolean;
  concurrency?: string;
}

/**
 * registerDiff adds `flotilla diff`: for each chosen target, the live objects against the desired
 * ones, per object and field, in the fields Flotilla applies and no ignore rule covers (SPEC §6).
 * Secret values are never printed. With --detailed-exitcode, drift exits 2.
 */
export function registerDiff(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description('Show drift: the live objects against the desired state, per object and field')
    .option('--cluster <name>', 'only this cluster')
    .option('--selector <selector>', 'only clusters whose labels match')
    .option('--release <name>', 'only this release')
    .option('--detailed-exitcode', 'exit 2 when there is drift (0 none, 1 error)')
    .option('--concurrency <n>', 'clusters read at the same time', '8')
    .action(async (opts: DiffCommandOptions, command: Command) => {
      const opened = openFleetTargets(ctx, command, opts);
      if (!opened) return;
      const connect = connectClusters(command);
      const perCluster = await runLimited(groupByCluster(opened.targets), Number(opts.concurrency ?? 8) || 8, async (targets) => {
        let port;
        try {
          port = connect(targets[0]!.target.cluster);
        } catch (error) {
          if (!(error instanceof FlotillaError)) throw error;
          return targets.map((t): TargetDiff => ({ cluster: t.target.cluster.name, release: t.target.release.name, key: t.target.key, state: 'failed', objects: [], compared: 0, errors: [error] }));
        }
        try {
          const out: TargetDiff[] = [];
          for (const t of targets) {
            const diff = await diffTarget(port, t.target, t.render);
            out.push(diff);
            // One unreachable target means the cluster is; the others are not tried again.
            if (diff.state === 'unreachable') {
              for (const rest of targets.slice(out.length)) out.push({ cluster: rest.target.cluster.name, release: rest.target.release.name, key: rest.target.key, state: 'unreachable', objects: [], compared: 0, errors: diff.errors });
              break;
            }
          }
          return out;
        } finally {
          port.close();
        }
      });
      const diffs = perCluster.flat();
      if (ctx.format() === 'json') ctx.stdout.write(JSON.stringify(diffToJson(diffs), null, 2) + '\n');
      else printDiff(ctx, diffs);
      const failed = diffs.some((d) => d.state === 'failed' || d.state === 'unreachable');
      const drifted = diffs.some((d) => d.state === 'drifted');
      if (failed) ctx.setExitCode(exitCodes.error);
      else if (drifted && opts.detailedExitcode) ctx.setExitCode(exitCodes.changes);
    });
}

/** diffToJson is the `--output json` shape of `flotilla diff`. */
export function diffToJson(diffs: readonly TargetDiff[]): unknown {
  return {
    summary: {
      targets: diffs.length,
      drifted: diffs.filter((d) => d.state === 'drifted').length,
      objects: diffs.reduce((n, d) => n + d.objects.length, 0),
      failed: diffs.filter((d) => d.state === 'failed' || d.state === 'unreachable').length,
    },
    targets: diffs.map((d) => ({
      cluster: d.cluster,
      release: d.release,
      state: d.state,
      compared: d.compared,
      objects: d.objects.map((o) => ({ object: o.object, state: o.state, fields: o.fields.map((f) => ({ path: f.path, desired: f.desired, ...(f.live !== undefined ? { live: f.live } : {}), ...(f.masked ? { masked: true } : {}) })) })),
      errors: d.errors.map((e) => e.toJSON()),
    })),
  };
}

function printDiff(ctx: CliContext, diffs: readonly TargetDiff[]): void {
  for (const d of diffs) {
    if (d.state === 'in-sync') continue;
    ctx.stdout.write(`${d.key}: ${d.state}\n`);
    for (const o of d.objects) {
      if (o.state === 'missing') ctx.stdout.write(`  + ${o.object}: missing from the cluster\n`);
      else if (o.state === 'extra') ctx.stdout.write(`  - ${o.object}: no longer desired; a sync prunes it\n`);
      else {
        ctx.stdout.write(`  ~ ${o.object}\n`);
        for (const f of o.fields) {
          const live = f.live === undefined ? '(not set)' : f.masked ? String(f.live) : formatValue(f.live);
          const desired = f.masked ? String(f.desired) : formatValue(f.desired);
          ctx.stdout.write(`      ${f.path}: live ${live}, desired ${desired}\n`);
        }
      }
    }
    for (const e of d.errors) ctx.stderr.write(`error [${e.code}]: ${e.message}\n`);
  }
  const drifted = diffs.filter((d) => d.state === 'drifted');
  const objects = drifted.reduce((n, d) => n + d.objects.length, 0);
  ctx.stderr.write(drifted.length ? `${objects} ${objects === 1 ? 'object differs' : 'objects differ'} in ${drifted.length} of ${diffs.length} targets\n` : `no drift in ${diffs.length} ${diffs.length === 1 ? 'target' : 'targets'}\n`);
}
