import { resolve } from 'node:path';
import type { Command } from 'commander';
import { FlotillaError, type Issue } from '../../core/index.js';
import { fleetFileName, loadFleet, renderFleet, selectTargets, type Fleet, type HelmReleaseRenderer, type TargetRenderResult } from '../../fleet/index.js';
import { buildLivePlan, buildPlan, evaluateGuards, formatPlanMarkdown, formatPlanText, planOutcome, planToJson, type FleetRender, type LiveTargetDrift, type Plan } from '../../plan/index.js';
import { diffTarget, runLimited, type ClusterConnector } from '../../reconcile/index.js';
import { releaseRenderer, type RenderFs } from '../../render/index.js';
import { gitRevisionFs, localFs, mergeBase, resolveRevision } from '../../source/index.js';
import { createHelmRenderer } from '../../source/helm/index.js';
import type { CliContext } from '../context.js';
import { exitCodes } from '../exit.js';
import { helmOptionHelp, localRepoResolver, printIssues } from './render.js';
import { connectClusters, groupByCluster } from './sync.js';

/** RevisionSnapshot is one side of a plan: the working tree or a Git revision, as a file system. */
export interface RevisionSnapshot {
  fs: RenderFs;
  /** How the revision is shown: `working tree`, `main (1a2b3c4)`, `1a2b3c4 (merge-base with main)`. */
  label: string;
}

/** PlanRevisionsOptions say which fleet and which two revisions to compare. */
export interface PlanRevisionsOptions {
  /** The fleet repository directory (or a subdirectory of a Git repository holding flotilla.yaml). */
  dir: string;
  /** The base revision. @default the merge base of head (or HEAD) with the default branch */
  base?: string;
  /** The head revision. @default the working tree */
  head?: string;
  /** Reports each rendered target: which side, how many done, of how many. */
  onProgress?: (side: 'base' | 'head', done: number, total: number) => void;
  /** Renders Helm releases (source/helm's createHelmRenderer); without it they fail to render. @default undefined */
  helm?: HelmReleaseRenderer;
}

/** PlanRevisionsResult is a plan, or the issues of a fleet file that did not load at one side. */
export type PlanRevisionsResult = { ok: true; plan: Plan } | { ok: false; side: 'base' | 'head'; label: string; issues: Issue[] };

/**
 * planRevisions is the gather side of `flotilla plan`: it opens both revisions, renders every
 * target of the fleet at each (guards only at head, the state that would be applied), and hands
 * the two desired states to the pure planner. Exported so tests and benchmarks plan in-process.
 */
export function planRevisions(options: PlanRevisionsOptions): PlanRevisionsResult {
  const dir = resolve(options.dir);
  const head = openHead(dir, options.head);
  const base = openBase(dir, options.base, options.head);
  const baseRender = renderSnapshot(base, dir, { guards: false, helm: options.helm, onProgress: options.onProgress && ((d, t) => options.onProgress!('base', d, t)) });
  if (!baseRender.ok) return { ok: false, side: 'base', label: base.label, issues: baseRender.issues };
  const headRender = renderSnapshot(head, dir, { guards: true, helm: options.helm, onProgress: options.onProgress && ((d, t) => options.onProgress!('head', d, t)) });
  if (!headRender.ok) return { ok: false, side: 'head', label: head.label, issues: headRender.issues };
  return { ok: true, plan: buildPlan(baseRender.value, headRender.value) };
}

/** openHead opens the head side: a Git revision, or the working tree when none is named. */
export function openHead(dir: string, rev: string | undefined): RevisionSnapshot {
  if (rev === undefined) return { fs: localFs, label: 'working tree' };
  return openRevision(dir, rev);
}

/**
 * openBase opens the base side: the named revision, or where the head (HEAD for the working tree)
 * forked from the default branch, which is what a pull request is compared with.
 */
export function openBase(dir: string, rev: string | undefined, headRev: string | undefined): RevisionSnapshot {
  if (rev !== undefined) return openRevision(dir, rev);
  const fork = mergeBase(dir, undefined, headRev ?? 'HEAD');
  if (!fork.ok) throw fork.issues[0];
  const opened = gitRevisionFs(dir, fork.value.commit);
  if (!opened.ok) throw opened.issues[0];
  return { fs: opened.value, label: `${fork.value.commit.slice(0, 7)} (merge-base with ${fork.value.branch})` };
}

function openRevision(dir: string, rev: string): RevisionSnapshot {
  const commit = resolveRevision(dir, rev);
  if (!commit.ok) throw commit.issues[0];
  const opened = gitRevisionFs(dir, commit.value);
  if (!opened.ok) throw opened.issues[0];
  const short = commit.value.slice(0, 7);
  return { fs: opened.value, label: commit.value.startsWith(rev) ? short : `${rev} (${short})` };
}

/** SnapshotOptions tune renderSnapshot. */
export interface SnapshotOptions {
  /** Whether to evaluate guards on each rendered target. */
  guards: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Renders Helm releases. @default undefined */
  helm?: HelmReleaseRenderer;
}

/** SnapshotRender is a snapshot's fleet, its targets' render results, and the planner's view of them. */
export interface SnapshotRender {
  fleet?: Fleet;
  results: TargetRenderResult[];
  render: FleetRender;
}

/**
 * renderSnapshot renders every target of the fleet in one snapshot into the planner's input. A
 * revision without a fleet file (the pull request that adds it) is an empty fleet; a fleet file
 * that does not load is the failed result, since then no target is known. Releases kept in other
 * local repositories are read from those repositories' branches, the same for both sides.
 */
export function renderSnapshot(snapshot: RevisionSnapshot, root: string, options: SnapshotOptions): { ok: true; value: FleetRender; snapshot: SnapshotRender } | { ok: false; issues: Issue[] } {
  const empty: FleetRender = { revision: snapshot.label, targets: [], failures: [] };
  if (snapshot.fs.stat(`${root}/${fleetFileName}`) === undefined) return { ok: true, value: empty, snapshot: { results: [], render: empty } };
  const loaded = loadFleet(snapshot.fs, root);
  if (!loaded.ok) return loaded;
  const fleet = loaded.value;
  const results = renderFleet(fleet, {
    fs: snapshot.fs,
    root,
    renderer: releaseRenderer,
    cache: releaseRenderer.createCache(),
    targets: selectTargets(fleet),
    resolveRepo: localRepoResolver(root),
    helm: options.helm,
    onProgress: options.onProgress && ((done, total) => options.onProgress!(done, total)),
  });
  const render: FleetRender = { revision: snapshot.label, targets: [], failures: [] };
  for (const { target, result } of results) {
    const cluster = target.cluster.name;
    const release = target.release.name;
    if (!result.ok) {
      render.failures.push({ cluster, release, issues: result.issues });
      continue;
    }
    render.targets.push({
      cluster,
      release,
      objects: result.value.objects.map((o) => o.object),
      ...(options.guards ? { guards: evaluateGuards(fleet, result.value) } : {}),
    });
  }
  return { ok: true, value: render, snapshot: { fleet, results, render } };
}

/** PlanLiveOptions say which fleet to plan against which clusters. */
export interface PlanLiveOptions {
  dir: string;
  /** The head revision. @default the working tree */
  head?: string;
  /** Opens a connection to a cluster of the fleet (the kubeconfig's context of its record). */
  connect: ClusterConnector;
  /** Clusters read at the same time. @default 8 */
  concurrency?: number;
  onProgress?: (side: 'base' | 'head', done: number, total: number) => void;
  /** Renders Helm releases. @default undefined */
  helm?: HelmReleaseRenderer;
}

/**
 * planLive is the gather side of `flotilla plan --live`: it renders head, reads each target's
 * objects and inventory from its cluster (reads only, through the sync engine's diff), and hands
 * both to the pure live planner: what a sync of head would create, change and prune.
 */
export async function planLive(options: PlanLiveOptions): Promise<PlanRevisionsResult> {
  const dir = resolve(options.dir);
  const head = openHead(dir, options.head);
  const rendered = renderSnapshot(head, dir, { guards: true, helm: options.helm, onProgress: options.onProgress && ((d, t) => options.onProgress!('head', d, t)) });
  if (!rendered.ok) return { ok: false, side: 'head', label: head.label, issues: rendered.issues };
  const perCluster = await runLimited(groupByCluster(rendered.snapshot.results.filter((r) => r.result.ok)), options.concurrency ?? 8, async (targets): Promise<LiveTargetDrift[]> => {
    const record = targets[0]!.target.cluster;
    let port;
    try {
      port = options.connect(record);
    } catch (error) {
      if (!(error instanceof FlotillaError)) throw error;
      return targets.map((t) => ({ cluster: t.target.cluster.name, release: t.target.release.name, objects: [], errors: [error] }));
    }
    try {
      const out: LiveTargetDrift[] = [];
      for (const t of targets) {
        const diff = await diffTarget(port, t.target, t.result);
        out.push(diff);
        // One unreachable target means the cluster is; the others are not tried again.
        if (diff.state === 'unreachable') {
          for (const rest of targets.slice(out.length)) out.push({ cluster: rest.target.cluster.name, release: rest.target.release.name, objects: [], errors: diff.errors });
          break;
        }
      }
      return out;
    } finally {
      port.close();
    }
  });
  return { ok: true, plan: buildLivePlan(rendered.value, perCluster.flat()) };
}

interface PlanCommandOptions {
  base?: string;
  head?: string;
  live?: boolean;
  detailedExitcode?: boolean;
  concurrency?: string;
  helm?: string;
}

/**
 * registerPlan adds `flotilla plan`: the fleet-wide preview between two revisions (SPEC §8), for
 * people, as a pull-request comment, or as JSON. The plan is printed in every case, then the exit
 * status says what it found: 1 a target failed to render, 3 a guard blocks a target, 2 something
 * changes (with --detailed-exitcode).
 */
export function registerPlan(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('Preview, for every cluster and release, what changes between two revisions of the fleet repository')
    .option('--base <rev>', 'the revision to compare from (default: the merge base with the default branch)')
    .option('--head <rev>', 'the revision to compare to (default: the working tree)')
    .option('--live', 'compare head with the live clusters (what a sync would do) instead of a base revision')
    .option('--concurrency <n>', 'with --live: clusters read at the same time', '8')
    .option('--detailed-exitcode', 'exit 2 when something changes (0 when nothing does)')
    .option('--helm <path>', helmOptionHelp)
    .action(async (opts: PlanCommandOptions, command: Command) => {
      const globals = command.optsWithGlobals() as { fleet?: string; output?: string };
      const output = globals.output ?? 'text';
      if (opts.live && opts.base !== undefined) {
        throw new FlotillaError('USAGE', '--live compares head with the clusters themselves; it takes no --base', { hint: 'Drop --base, or drop --live to compare two revisions.' });
      }
      const dir = resolve(String(globals.fleet ?? '.'));
      const progress = ctx.stderr.isTTY && output === 'text';
      const onProgress = progress ? (side: string, done: number, total: number) => ctx.stderr.write(`\r\x1b[Krendering ${side} ${done}/${total}`) : undefined;
      const result = opts.live
        ? await planLive({ dir, head: opts.head, connect: connectClusters(command), concurrency: Number(opts.concurrency ?? 8) || 8, onProgress, helm: createHelmRenderer({ helm: opts.helm }) })
        : planRevisions({ dir, base: opts.base, head: opts.head, onProgress, helm: createHelmRenderer({ helm: opts.helm }) });
      if (progress) ctx.stderr.write('\r\x1b[K');
      if (!result.ok) {
        if (output !== 'json') ctx.stderr.write(`the fleet at ${result.side} ${result.label} does not load:\n`);
        printIssues(ctx, result.issues);
        return;
      }
      const { plan } = result;
      if (output === 'json') ctx.stdout.write(JSON.stringify(planToJson(plan), null, 2) + '\n');
      else if (output === 'markdown') ctx.stdout.write(formatPlanMarkdown(plan));
      else ctx.stdout.write(formatPlanText(plan));
      const outcome = planOutcome(plan);
      if (outcome === 'error') ctx.setExitCode(exitCodes.error);
      else if (outcome === 'blocked') ctx.setExitCode(exitCodes.blocked);
      else if (outcome === 'changes' && opts.detailedExitcode) ctx.setExitCode(exitCodes.changes);
    });
}
