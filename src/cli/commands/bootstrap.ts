import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { FlotillaError, type Issue } from '../../core/index.js';
import {
  clusterRecordFile,
  clusterRecordPath,
  clustersDir,
  expandClusterTemplate,
  loadFleet,
  newClusterProblems,
  parseDuration,
  parsePairs,
  readClusterTemplate,
  renderFleet,
  selectTargets,
  withFiles,
  type Fleet,
  type NewCluster,
  type ScaffoldFile,
} from '../../fleet/index.js';
import { KubeCluster, loadKubeconfig } from '../../kube/index.js';
import { evaluateGuards, type GuardVerdict } from '../../plan/index.js';
import { releaseRenderer } from '../../render/index.js';
import { localFs } from '../../source/index.js';
import { createHelmRenderer } from '../../source/helm/index.js';
import type { CliContext } from '../context.js';
import { exitCodes } from '../exit.js';
import { helmOptionHelp, localRepoResolver, printIssues } from './render.js';

interface BootstrapOptions {
  label: string[];
  identity: string[];
  context: string;
  commit?: boolean;
  dryRun?: boolean;
  requestTimeout: string;
  helm?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function git(root: string, args: string[]): string {
  try {
    return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new FlotillaError('GIT_FAILED', `git ${args.join(' ')} in ${root}: ${stderr || (error as Error).message}`, { cause: error });
  }
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; issues: Issue[] }): T {
  if (result.ok) return result.value;
  throw new IssueList(result.issues);
}

// Several problems found together are printed together (printIssues), not only the first.
class IssueList extends Error {
  constructor(readonly issues: Issue[]) {
    super(issues[0]?.message);
  }
}

/** BootstrapCheck is what the fleet looks like with the new cluster in it, before anything is written. */
interface BootstrapCheck {
  releases: string[];
  failed: Issue[];
  blocked: { key: string; verdict: GuardVerdict }[];
}

// Loads the fleet as it will be once the files are written, and renders the new cluster's targets
// with their guards: a bootstrap that would leave a cluster that cannot sync writes nothing.
function checkWithCluster(root: string, name: string, files: ScaffoldFile[], helm: string | undefined): BootstrapCheck {
  const fs = withFiles(localFs, root, files);
  const loaded = loadFleet(fs, root);
  if (!loaded.ok) throw new IssueList(loaded.issues);
  const fleet = loaded.value;
  if (!fleet.clusters.some((c) => c.name === name)) {
    throw new FlotillaError('FLEET_INVALID', `flotilla.yaml: spec.clusters: the glob "${fleet.clustersGlob}" does not match ${clusterRecordPath(name)}, so the new record would never be read`, {
      file: 'flotilla.yaml',
      field: 'spec.clusters',
      hint: 'bootstrap writes clusters/NAME/cluster.yaml (SPEC §8); make spec.clusters match it (the default clusters/*/cluster.yaml does).',
    });
  }
  const targets = selectTargets(fleet, { cluster: name });
  const results = renderFleet(fleet, { fs, root, renderer: releaseRenderer, cache: releaseRenderer.createCache(), targets, resolveRepo: localRepoResolver(root), helm: createHelmRenderer({ helm }) });
  const check: BootstrapCheck = { releases: targets.map((t) => t.release.name), failed: [], blocked: [] };
  for (const { target, result } of results) {
    if (!result.ok) check.failed.push(...result.issues);
    else for (const verdict of evaluateGuards(fleet, result.value)) check.blocked.push({ key: target.key, verdict });
  }
  return check;
}

function existingCluster(fleet: Fleet, root: string, name: string): FlotillaError | undefined {
  const record = fleet.clusters.find((c) => c.name === name);
  if (record) return new FlotillaError('BOOTSTRAP_CLUSTER_EXISTS', `cluster ${name} is already in the fleet (${record.file}); nothing was written`, { file: record.file, cluster: name });
  const dir = `${clustersDir}/${name}`;
  if (existsSync(join(root, dir))) {
    return new FlotillaError('BOOTSTRAP_CLUSTER_EXISTS', `${dir} already exists (without a cluster record that the fleet reads); nothing was written`, {
      file: dir,
      cluster: name,
      hint: `Remove ${dir} if it is left over from an old cluster, or pick another name.`,
    });
  }
  return undefined;
}

async function readFingerprint(command: Command, name: string, context: string, timeoutMs: number): Promise<string> {
  const kc = loadKubeconfig({ path: command.optsWithGlobals().kubeconfig as string | undefined, env: process.env.KUBECONFIG });
  const cluster = KubeCluster.forContext(kc, { name, connection: { context } }, { timeoutMs });
  try {
    return await cluster.fingerprint();
  } finally {
    cluster.close();
  }
}

/**
 * registerBootstrap adds `flotilla bootstrap NAME` (SPEC §8): it reads the new cluster's
 * fingerprint through the kubeconfig context, writes clusters/NAME/cluster.yaml and the overlay
 * expanded from the fleet's cluster template, and with --commit commits exactly those files.
 * Before writing it loads the fleet with the new cluster and renders every release that selects
 * it, so a cluster that could not sync is never recorded; it never overwrites anything.
 */
export function registerBootstrap(program: Command, ctx: CliContext): void {
  program
    .command('bootstrap')
    .description("Onboard a cluster: record it (labels, identity, the live cluster's fingerprint), create its overlay from the fleet's cluster template, optionally commit")
    .argument('<name>', "the cluster's name (a DNS label, e.g. prod-ap-south)")
    .requiredOption('--context <context>', 'the kubeconfig context that reaches the cluster (recorded as spec.connection.context)')
    .option('--label <key=value>', 'a label of the cluster; repeat for more (--label env=production --label region=ap-south)', collect, [])
    .option('--identity <KEY=VALUE>', 'an identity fact the cluster must prove (also a ${VAR} variable); repeat for more', collect, [])
    .option('--commit', 'commit the new files with git (only them, whatever else is staged)')
    .option('--dry-run', 'read the fingerprint and check everything, print the files, write nothing')
    .option('--request-timeout <duration>', 'time allowed for reading the fingerprint', '10s')
    .option('--helm <path>', helmOptionHelp)
    .action(async (name: string, opts: BootstrapOptions, command: Command) => {
      const root = resolve(String(command.optsWithGlobals().fleet ?? '.'));
      const text = ctx.format() === 'text';
      const progress = (line: string) => {
        if (text && ctx.stderr.isTTY) ctx.stderr.write(`\r\x1b[K${line}`);
      };
      const endProgress = () => progress('');
      try {
        const labels = parsePairs(opts.label, 'label');
        const identity = parsePairs(opts.identity, 'identity');
        const cluster: NewCluster = { name, labels: labels.ok ? labels.value : {}, identity: identity.ok ? identity.value : {}, context: opts.context };
        const argIssues = [...newClusterProblems(cluster), ...(labels.ok ? [] : labels.issues), ...(identity.ok ? [] : identity.issues)];
        if (argIssues.length) throw new IssueList(argIssues);
        const timeoutMs = parseDuration(opts.requestTimeout);
        if (!(timeoutMs > 0)) throw new FlotillaError('USAGE', `--request-timeout ${opts.requestTimeout} is not a duration such as 10s`);

        const fleet = unwrap(loadFleet(localFs, root));
        const exists = existingCluster(fleet, root, name);
        if (exists) throw exists;
        if (opts.commit && !opts.dryRun) git(root, ['rev-parse', '--show-toplevel']);

        // The overlay, from the fleet's template; without one, only the record is written.
        const overlay: ScaffoldFile[] = [];
        if (fleet.clusterTemplate) {
          const template = unwrap(readClusterTemplate(localFs, root, fleet.clusterTemplate.path));
          overlay.push(...unwrap(expandClusterTemplate(fleet.clusterTemplate.path, template, cluster)));
        }
        progress(`checking the fleet with ${name}…`);
        const check = checkWithCluster(root, name, [clusterRecordFile(cluster), ...overlay], opts.helm);
        endProgress();
        if (check.failed.length || check.blocked.length) {
          if (text) for (const b of check.blocked) ctx.stderr.write(`blocked [${b.verdict.guard}] ${b.key}: ${b.verdict.message}\n`);
          const blocked = check.blocked.map((b) => new FlotillaError('GUARD_BLOCKED', `${b.key}: [${b.verdict.guard}] ${b.verdict.message}`, { cluster: name }));
          printIssues(ctx, [...check.failed, ...(text ? [] : blocked)]);
          if (text && !fleet.clusterTemplate && check.failed.length) {
            ctx.stderr.write(`note: the fleet has no spec.clusterTemplate, so bootstrap writes no overlay into clusters/${name}/; add a template directory and name it there (docs/fleet-reference.md)\n`);
          }
          if (text) ctx.stderr.write(`cluster ${name} would not sync; nothing was written\n`);
          ctx.setExitCode(check.failed.length ? exitCodes.error : exitCodes.blocked);
          return;
        }

        progress(`reading the fingerprint of ${name} through context ${opts.context}…`);
        const fingerprint = await readFingerprint(command, name, opts.context, timeoutMs);
        endProgress();
        const twin = fleet.clusters.find((c) => c.fingerprint === fingerprint);
        if (twin) {
          throw new FlotillaError('BOOTSTRAP_CLUSTER_EXISTS', `context ${opts.context} reaches the cluster already recorded as ${twin.name} (${twin.file}): both have kube-system uid ${fingerprint}; nothing was written`, {
            file: twin.file,
            cluster: twin.name,
            hint: 'Check that the context points at the new cluster; one cluster must not be recorded twice.',
          });
        }
        const files = [clusterRecordFile({ ...cluster, fingerprint }), ...overlay];

        let commit: string | undefined;
        if (!opts.dryRun) {
          for (const file of files) {
            const path = join(root, file.path);
            mkdirSync(dirname(path), { recursive: true });
            writeFileSync(path, file.text, { flag: 'wx' });
          }
          if (opts.commit) {
            const paths = files.map((f) => f.path);
            git(root, ['add', '--', ...paths]);
            const labelText = Object.entries(cluster.labels).map(([k, v]) => `${k}=${v}`).join(', ');
            // `commit -- paths` commits these files only, leaving whatever else the user staged.
            git(root, ['commit', '--quiet', '-m', `Bootstrap cluster ${name}${labelText ? ` (${labelText})` : ''}`, '--', ...paths]);
            commit = git(root, ['rev-parse', 'HEAD']);
          }
        }
        report(ctx, { name, context: opts.context, fingerprint, files, releases: check.releases, commit, dryRun: Boolean(opts.dryRun), root });
      } catch (error) {
        endProgress();
        if (error instanceof IssueList) {
          printIssues(ctx, error.issues);
          return;
        }
        throw error;
      }
    });
}

interface BootstrapReport {
  name: string;
  context: string;
  fingerprint: string;
  files: ScaffoldFile[];
  releases: string[];
  commit?: string;
  dryRun: boolean;
  root: string;
}

function report(ctx: CliContext, r: BootstrapReport): void {
  if (ctx.format() === 'json') {
    const out = { cluster: r.name, context: r.context, fingerprint: r.fingerprint, dryRun: r.dryRun, files: r.files.map((f) => f.path), releases: r.releases, ...(r.commit ? { commit: r.commit } : {}) };
    ctx.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  if (r.dryRun) {
    for (const file of r.files) ctx.stdout.write(`# ${file.path}\n${file.text}${file.text.endsWith('\n') ? '' : '\n'}`);
    ctx.stderr.write(`dry run: cluster ${r.name} (fingerprint ${r.fingerprint}) checked; ${r.files.length} files not written\n`);
    return;
  }
  const shownRoot = relative(process.cwd(), r.root) || '.';
  const fleetArg = shownRoot === '.' ? '' : ` --fleet ${shownRoot}`;
  const lines = [
    `bootstrapped cluster ${r.name}: context ${r.context}, fingerprint ${r.fingerprint}`,
    ...r.files.map((f) => `  wrote ${f.path}`),
    r.releases.length ? `  releases that select it: ${r.releases.join(', ')}` : '  no release selects it yet: its labels match no release\'s targets',
    ...(r.commit ? [`  committed ${r.commit.slice(0, 12)}`] : []),
    `next: ${r.commit ? 'push the commit' : 'commit and push the files'}; to sync the cluster now: flotilla sync --cluster ${r.name}${fleetArg}`,
  ];
  ctx.stdout.write(lines.join('\n') + '\n');
}
