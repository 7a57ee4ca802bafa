import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { FlotillaError, fail, ok, type Issue, type Result } from '../../core/index.js';
import { loadFleet, renderFleet, selectTargets, type Fleet, type ReleaseRepo, type RepoSource, type Target, type TargetRenderResult } from '../../fleet/index.js';
import { stringifyYamlStream } from '../../manifest/index.js';
import { evaluateGuards, type GuardVerdict } from '../../plan/index.js';
import { releaseRenderer } from '../../render/index.js';
import { gitRevisionFs, localFs } from '../../source/index.js';
import { createHelmRenderer } from '../../source/helm/index.js';
import type { CliContext } from '../context.js';
import { exitCodes } from '../exit.js';

interface RenderOptions {
  cluster?: string;
  release?: string;
  out?: string;
  helm?: string;
}

/** TargetOutcome is one target of `flotilla render`: rendered, blocked by a guard, or failed. */
interface TargetOutcome {
  target: Target;
  status: 'rendered' | 'blocked' | 'failed';
  objects: unknown[];
  guards: GuardVerdict[];
  issues: Issue[];
  /** Notes that are not errors: Helm hooks skipped, a chart changed behind its version. */
  notes: string[];
}

/** helmOptionHelp describes the --helm option of the commands that render Helm releases. */
export const helmOptionHelp = 'the helm 3 or 4 binary for Helm releases (default: $FLOTILLA_HELM, else helm on PATH)';

/**
 * registerRender adds `flotilla render`: the desired state of every chosen target, printed as
 * one YAML stream with a `# cluster/release` header per target, or written as
 * DIR/<cluster>/<release>.yaml with --out. Guards run on every target: a blocked target is
 * reported and not printed or written (exit 3), a failed one is reported (exit 1), and the
 * other targets still render.
 */
export function registerRender(program: Command, ctx: CliContext): void {
  program
    .command('render')
    .description('Render the desired state of each target (release × cluster) of the fleet')
    .option('--cluster <name>', 'only this cluster')
    .option('--release <name>', 'only this release')
    .option('--out <dir>', 'write DIR/<cluster>/<release>.yaml per target instead of printing')
    .option('--helm <path>', helmOptionHelp)
    .action((opts: RenderOptions, command: Command) => {
      const opened = openLocalFleet(ctx, command);
      if (!opened) return;
      const { fleet, root } = opened;
      checkFilter(fleet, opts);
      const targets = selectTargets(fleet, { cluster: opts.cluster, release: opts.release });
      const progress = ctx.stderr.isTTY && ctx.format() === 'text' && targets.length > 1;
      const results = renderFleet(fleet, {
        fs: localFs,
        root,
        renderer: releaseRenderer,
        cache: releaseRenderer.createCache(),
        targets,
        resolveRepo: localRepoResolver(root),
        helm: createHelmRenderer({ helm: opts.helm }),
        onProgress: progress ? (done, total, target) => ctx.stderr.write(`\r\x1b[Krendering ${done}/${total} ${target.key}`) : undefined,
      });
      if (progress) ctx.stderr.write('\r\x1b[K');
      const outcomes = results.map((r) => outcomeOf(fleet, r));
      if (opts.out) writeFiles(resolve(opts.out), outcomes);
      report(ctx, outcomes, opts.out);
      const failed = outcomes.some((o) => o.status === 'failed');
      const blocked = outcomes.some((o) => o.status === 'blocked');
      if (failed) ctx.setExitCode(exitCodes.error);
      else if (blocked) ctx.setExitCode(exitCodes.blocked);
    });
}

/**
 * localRepoResolver opens releases that live in another repository when that repository is a
 * local clone (a path, relative to the fleet, or a file:// URL): the branch (default HEAD) is read
 * straight from Git, so an uncommitted working tree does not leak in. Remote URLs are fetched by
 * the commands that sync; render reports them as unavailable.
 */
export function localRepoResolver(fleetRoot: string): (repo: ReleaseRepo) => Result<RepoSource> {
  const opened = new Map<string, Result<RepoSource>>();
  return (repo) => {
    const path = repo.url.startsWith('file://') ? fileURLToPath(repo.url) : /^[a-z][a-z0-9+.-]*:\/\/|^[^/]+@[^/]+:/i.test(repo.url) ? undefined : isAbsolute(repo.url) ? repo.url : resolve(fleetRoot, repo.url);
    if (!path) {
      return fail(
        new FlotillaError('FLEET_REPO_UNAVAILABLE', `${repo.url}: releases of other repositories are read only from local clones; this one is remote`, {
          hint: 'Clone it and name the clone by path (relative to the fleet) or as a file:// URL; Flotilla does not fetch other repositories yet.',
        }),
      );
    }
    const key = `${path}#${repo.branch ?? 'HEAD'}`;
    let result = opened.get(key);
    if (!result) {
      const fs = gitRevisionFs(path, repo.branch ?? 'HEAD');
      result = fs.ok ? ok({ fs: fs.value, root: fs.value.dir, cache: releaseRenderer.createCache() }) : fs;
      opened.set(key, result);
    }
    return result;
  };
}

/**
 * openLocalFleet loads the fleet of --fleet from the working tree. It prints the fleet's problems
 * (printIssues) and answers undefined when the fleet does not load.
 */
export function openLocalFleet(ctx: CliContext, command: Command): { fleet: Fleet; root: string } | undefined {
  const root = resolve(String(command.optsWithGlobals().fleet ?? '.'));
  const loaded = loadFleet(localFs, root);
  if (!loaded.ok) {
    printIssues(ctx, loaded.issues);
    return undefined;
  }
  return { fleet: loaded.value, root };
}

/** checkFilter refuses a --cluster or --release the fleet does not have, naming the ones it has. */
export function checkFilter(fleet: Fleet, opts: { cluster?: string; release?: string }): void {
  if (opts.cluster !== undefined && !fleet.clusters.some((c) => c.name === opts.cluster)) {
    throw new FlotillaError('USAGE', `--cluster ${opts.cluster}: the fleet has no such cluster; clusters: ${fleet.clusters.map((c) => c.name).join(', ') || 'none'}`);
  }
  if (opts.release !== undefined && !fleet.releases.some((r) => r.name === opts.release)) {
    throw new FlotillaError('USAGE', `--release ${opts.release}: the fleet has no such release; releases: ${fleet.releases.map((r) => r.name).join(', ') || 'none'}`);
  }
}

function outcomeOf(fleet: Fleet, { target, result }: TargetRenderResult): TargetOutcome {
  if (!result.ok) return { target, status: 'failed', objects: [], guards: [], issues: result.issues, notes: [] };
  const guards = evaluateGuards(fleet, result.value);
  return { target, status: guards.length ? 'blocked' : 'rendered', objects: result.value.objects.map((o) => o.object), guards, issues: [], notes: result.value.notes ?? [] };
}

// A blocked or failed target loses its file, so that no stale desired state is left to apply.
function writeFiles(dir: string, outcomes: TargetOutcome[]): void {
  for (const o of outcomes) {
    const file = join(dir, o.target.cluster.name, `${o.target.release.name}.yaml`);
    if (o.status === 'rendered') {
      mkdirSync(join(dir, o.target.cluster.name), { recursive: true });
      writeFileSync(file, stringifyYamlStream(o.objects));
    } else {
      rmSync(file, { force: true });
    }
  }
}

function report(ctx: CliContext, outcomes: TargetOutcome[], out: string | undefined): void {
  const count = (status: TargetOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  if (ctx.format() === 'json') {
    const targets = outcomes.map((o) => ({
      cluster: o.target.cluster.name,
      release: o.target.release.name,
      status: o.status,
      ...(out && o.status === 'rendered' ? { file: join(resolve(out), o.target.cluster.name, `${o.target.release.name}.yaml`) } : {}),
      ...(!out && o.status === 'rendered' ? { objects: o.objects } : {}),
      guards: o.guards,
      errors: o.issues.map((i) => i.toJSON()),
      ...(o.notes.length ? { notes: o.notes } : {}),
    }));
    const summary = { targets: outcomes.length, rendered: count('rendered'), blocked: count('blocked'), failed: count('failed') };
    ctx.stdout.write(JSON.stringify({ summary, targets }, null, 2) + '\n');
    return;
  }
  if (!out) {
    const parts = outcomes.filter((o) => o.status === 'rendered').map((o) => `# ${o.target.key}\n${stringifyYamlStream(o.objects)}`);
    ctx.stdout.write(parts.join('---\n'));
  }
  for (const o of outcomes) {
    for (const note of o.notes) ctx.stderr.write(`note: ${o.target.key}: ${note}\n`);
    for (const v of o.guards) ctx.stderr.write(`blocked [${v.guard}] ${o.target.key}: ${v.message}\n`);
    for (const issue of o.issues) writeIssue(ctx, issue);
  }
  const rendered = count('rendered');
  const clusters = new Set(outcomes.filter((o) => o.status === 'rendered').map((o) => o.target.cluster.name)).size;
  const problems = [count('blocked') ? `${count('blocked')} blocked by a guard` : '', count('failed') ? `${count('failed')} failed` : ''].filter(Boolean);
  const wrote = out ? `, wrote ${rendered} ${rendered === 1 ? 'file' : 'files'} under ${out}` : '';
  ctx.stderr.write(`rendered ${rendered} of ${outcomes.length} ${outcomes.length === 1 ? 'target' : 'targets'} in ${clusters} ${clusters === 1 ? 'cluster' : 'clusters'}${wrote}${problems.length ? `; ${problems.join(', ')}` : ''}\n`);
}

function writeIssue(ctx: CliContext, issue: Issue): void {
  ctx.stderr.write(`error [${issue.code}]: ${issue.message}\n`);
  if (issue.hint) ctx.stderr.write(`  hint: ${issue.hint}\n`);
}

/**
 * printIssues reports every problem of a fleet that did not load, not only the first, and sets
 * exit status 1: the same lines as the CLI's error edge in text, `{"error", "errors"}` in JSON.
 */
export function printIssues(ctx: CliContext, issues: Issue[]): void {
  if (ctx.format() === 'json') {
    ctx.stdout.write(JSON.stringify({ error: issues[0]?.toJSON(), errors: issues.map((i) => i.toJSON()) }, null, 2) + '\n');
  } else {
    for (const issue of issues) writeIssue(ctx, issue);
    if (issues.length > 1) ctx.stderr.write(`${issues.length} problems\n`);
  }
  ctx.setExitCode(exitCodes.error);
}
