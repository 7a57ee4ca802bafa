// The hub under load (issue 12): `flotilla serve` as a child process over 200 sandbox clusters ×
// 5 releases, fed a steady stream of commits (one every HUB_LOAD_COMMIT_MS, each changing one
// release's ConfigMap everywhere) and drift (a random live ConfigMap edited every HUB_LOAD_DRIFT_MS)
// for HUB_LOAD_SECONDS. It checks that every commit reaches every target and every edit is healed
// (read from the clusters themselves), and records the convergence time per commit, the hub's
// reconcile latency percentiles (its own histogram), and its memory over time (its /metrics). The
// peer, measured in the same run, is the hub's first sync of the whole fleet from empty clusters.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox, type SandboxCluster } from '../src/sandbox/index.js';
import { writeTree } from '../test/support/fleet-files.js';
import { configFile, generationOf, loadFleetFiles, tamper } from '../test/support/load-fleet.js';
import type { BenchmarkResult } from './run.js';

const seconds = Number(process.env.HUB_LOAD_SECONDS ?? 180);
const clusterCount = Number(process.env.HUB_LOAD_CLUSTERS ?? 200);
const commitMs = Number(process.env.HUB_LOAD_COMMIT_MS ?? 10_000);
const driftMs = Number(process.env.HUB_LOAD_DRIFT_MS ?? 1000);
const drainSeconds = Number(process.env.HUB_LOAD_DRAIN_SECONDS ?? 600);
const clusterNames = Array.from({ length: clusterCount }, (_, i) => `c${String(i).padStart(3, '0')}`);
const releases = ['r0', 'r1', 'r2', 'r3', 'r4'];
const adminToken = 'hub-load-admin-token';

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

interface Histogram {
  buckets: Map<number, number>;
  count: number;
}

function histogramOf(metrics: string): Histogram {
  const buckets = new Map<number, number>();
  let count = 0;
  for (const line of metrics.split('\n')) {
    const bucket = /^flotilla_reconcile_duration_seconds_bucket\{.*le="([^"]+)".*\} (\d+)/.exec(line);
    if (bucket) buckets.set(bucket[1] === '+Inf' ? Infinity : Number(bucket[1]), (buckets.get(bucket[1] === '+Inf' ? Infinity : Number(bucket[1])) ?? 0) + Number(bucket[2]));
    const total = /^flotilla_reconcile_duration_seconds_count\{.*\} (\d+)/.exec(line);
    if (total) count += Number(total[1]);
  }
  return { buckets, count };
}

/** quantile interpolates a quantile inside the histogram's buckets, as Prometheus' histogram_quantile does. */
function quantile(h: Histogram, q: number): number {
  const bounds = [...h.buckets.keys()].sort((a, b) => a - b);
  const total = h.buckets.get(Infinity) ?? h.count;
  if (total === 0) return NaN;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const bound of bounds) {
    const count = h.buckets.get(bound)!;
    if (count >= rank) {
      if (bound === Infinity) return previousBound;
      return previousBound + ((bound - previousBound) * (rank - previousCount)) / Math.max(1, count - previousCount);
    }
    previousBound = bound;
    previousCount = count;
  }
  return previousBound;
}

function subtract(a: Histogram, b: Histogram): Histogram {
  const buckets = new Map<number, number>();
  for (const [k, v] of a.buckets) buckets.set(k, v - (b.buckets.get(k) ?? 0));
  return { buckets, count: a.count - b.count };
}

function gauge(metrics: string, name: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

export default async function bench(progress: (line: string) => void): Promise<BenchmarkResult> {
  const base = mkdtempSync(join(tmpdir(), 'flotilla-hub-load-'));
  const work = join(base, 'work');
  const bare = join(base, 'fleet.git');
  const generation: Record<string, number> = Object.fromEntries(releases.map((r) => [r, 0]));
  writeTree(work, loadFleetFiles(clusterNames, releases, generation));
  const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@flotilla.invalid', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@flotilla.invalid' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'the fleet');
  execFileSync('git', ['clone', '--quiet', '--bare', work, bare]);
  git('remote', 'add', 'origin', bare);

  progress(`starting ${clusterCount} sandbox clusters`);
  const sandbox: Sandbox = await startSandbox({ clusters: clusterNames, dir: join(base, 'sandbox'), controllers: { readyDelayMs: 200 } });
  const token = sandbox.adminToken;
  writeFileSync(join(base, 'tokens.yaml'), `- {name: bench, role: admin, token: ${adminToken}}\n`);
  const concurrency = Number(process.env.HUB_LOAD_CONCURRENCY ?? 16);
  const child = spawn(
    process.execPath,
    [...(process.env.HUB_LOAD_NODE_ARGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', new URL('../src/cli/main.ts', import.meta.url).pathname, 'serve', '--repo', bare, '--branch', 'main', '--data', join(base, 'data'), '--port', '0', '--tokens', join(base, 'tokens.yaml'), '--interval', '1s', '--kubeconfig', sandbox.kubeconfigPath!, '--concurrency', String(concurrency), '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const startedAt = Date.now();
    let url: string | undefined;
    while (!(url = /listening on (http:\/\/\S+)/.exec(output)?.[1])) {
      if (child.exitCode !== null || Date.now() - startedAt > 60_000) throw new Error(`the hub did not start: ${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const metricsText = async () => (await fetch(`${url}/metrics`)).text();
    const all = (want: (cluster: SandboxCluster, release: string) => boolean) => sandbox.clusters.every((c) => releases.every((r) => want(c, r)));

    // The peer: the first sync of the whole fleet from empty clusters.
    while (!all((c, r) => generationOf(c, token, r) === '0')) {
      if (Date.now() - startedAt > 600_000) throw new Error('the first sync did not finish in 10 minutes');
      await new Promise((r) => setTimeout(r, 250));
    }
    const firstSyncMs = Date.now() - startedAt;
    progress(`first sync of ${clusterCount} × ${releases.length} targets in ${sec(firstSyncMs)} (process start included)`);
    const histogramBefore = histogramOf(await metricsText());

    // The load: commits and drift for `seconds`.
    const commits: { release: string; gen: number; pushedAt: number; convergedAt?: number; reached: Set<string> }[] = [];
    const drifts: { cluster: SandboxCluster; release: string; at: number; healedAt?: number }[] = [];
    const memory: { at: number; rss: number; heap: number; external: number; lag: number }[] = [];
    const loadStarted = Date.now();
    let nextCommit = loadStarted;
    let nextDrift = loadStarted;
    let nextSample = loadStarted;
    let nextProgress = loadStarted + 15_000;
    let seq = 0;
    while (Date.now() - loadStarted < seconds * 1000) {
      const now = Date.now();
      if (now >= nextCommit) {
        const release = releases[seq % releases.length]!;
        seq += 1;
        generation[release] = seq;
        writeFileSync(join(work, `apps/${release}/config.yaml`), configFile(seq));
        git('commit', '-q', '-am', `gen ${seq}`);
        git('push', '--quiet', 'origin', 'main');
        commits.push({ release, gen: seq, pushedAt: Date.now(), reached: new Set() });
        nextCommit += commitMs;
      }
      if (now >= nextDrift) {
        const cluster = sandbox.clusters[Math.floor(Math.random() * sandbox.clusters.length)]!;
        const release = releases[Math.floor(Math.random() * releases.length)]!;
        if (tamper(cluster, token, release)) drifts.push({ cluster, release, at: Date.now() });
        nextDrift += driftMs;
      }
      if (now >= nextSample) {
        const m = await metricsText();
        memory.push({ at: now - loadStarted, rss: gauge(m, 'process_resident_memory_bytes'), heap: gauge(m, 'nodejs_heap_size_used_bytes'), external: gauge(m, 'nodejs_external_memory_bytes'), lag: gauge(m, 'nodejs_eventloop_lag_p99_seconds') });
        nextSample += 5000;
      }
      for (const commit of commits) {
        if (commit.convergedAt !== undefined) continue;
        for (const c of sandbox.clusters) {
          if (commit.reached.has(c.name)) continue;
          const gen = generationOf(c, token, commit.release);
          if (gen !== undefined && gen !== 'tampered' && Number(gen) >= commit.gen) commit.reached.add(c.name);
        }
        if (commit.reached.size === sandbox.clusters.length) commit.convergedAt = Date.now();
      }
      for (const d of drifts) if (d.healedAt === undefined && generationOf(d.cluster, token, d.release) !== 'tampered') d.healedAt = Date.now();
      if (now >= nextProgress) {
        const done = commits.filter((c) => c.convergedAt !== undefined).length;
        progress(`${((now - loadStarted) / 1000).toFixed(0)} s: ${commits.length} commits (${done} everywhere), ${drifts.length} edits (${drifts.filter((d) => d.healedAt).length} healed), hub RSS ${mib(memory.at(-1)?.rss ?? NaN)}`);
        nextProgress += 15_000;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    // Drain: every commit everywhere, every edit healed, the final state exact (or the drain time is up).
    const drainStarted = Date.now();
    let nextDrainProgress = drainStarted + 15_000;
    let drained = false;
    for (;;) {
      for (const commit of commits) {
        if (commit.convergedAt !== undefined) continue;
        for (const c of sandbox.clusters) if (!commit.reached.has(c.name) && Number(generationOf(c, token, commit.release)) >= commit.gen) commit.reached.add(c.name);
        if (commit.reached.size === sandbox.clusters.length) commit.convergedAt = Date.now();
      }
      for (const d of drifts) if (d.healedAt === undefined && generationOf(d.cluster, token, d.release) !== 'tampered') d.healedAt = Date.now();
      if (commits.every((c) => c.convergedAt !== undefined) && drifts.every((d) => d.healedAt !== undefined) && all((c, r) => generationOf(c, token, r) === String(generation[r]))) {
        drained = true;
        break;
      }
      if (Date.now() - drainStarted > drainSeconds * 1000) break;
      if (Date.now() >= nextDrainProgress) {
        const targetsAtLast = sandbox.clusters.reduce((n, c) => n + releases.filter((r) => generationOf(c, token, r) === String(generation[r])).length, 0);
        progress(`draining ${((Date.now() - drainStarted) / 1000).toFixed(0)} s: ${commits.filter((c) => !c.convergedAt).length} commits not everywhere yet, ${drifts.filter((d) => !d.healedAt).length} edits not healed, ${targetsAtLast}/${clusterCount * releases.length} targets at the last generation`);
        nextDrainProgress += 15_000;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    const drainMs = Date.now() - drainStarted;
    const targetsAtLast = sandbox.clusters.reduce((n, c) => n + releases.filter((r) => generationOf(c, token, r) === String(generation[r])).length, 0);
    const m = await metricsText();
    memory.push({ at: Date.now() - loadStarted, rss: gauge(m, 'process_resident_memory_bytes'), heap: gauge(m, 'nodejs_heap_size_used_bytes'), external: gauge(m, 'nodejs_external_memory_bytes'), lag: gauge(m, 'nodejs_eventloop_lag_p99_seconds') });
    const histogram = subtract(histogramOf(m), histogramBefore);
    const targets = (await (await fetch(`${url}/api/v1/targets`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { targets: { sync: string }[] };
    const synced = targets.targets.filter((t) => t.sync === 'Synced').length;
    progress(`${drained ? 'drained' : 'NOT drained'} in ${sec(drainMs)}; ${synced}/${targets.targets.length} targets Synced in the API`);

    const convergence = commits.filter((c) => c.convergedAt !== undefined).map((c) => c.convergedAt! - c.pushedAt).sort((a, b) => a - b);
    const healing = drifts.filter((d) => d.healedAt !== undefined).map((d) => d.healedAt! - d.at).sort((a, b) => a - b);
    const missing = commits.filter((c) => c.convergedAt === undefined);
    const third = Math.max(1, Math.floor(memory.length / 3));
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const early = memory.slice(1, 1 + third);
    const late = memory.slice(-third);
    const q = (p: number) => `${(quantile(histogram, p) * 1000).toFixed(0)} ms`;
    // The trend after the warm-up (the first third): a least-squares slope, in MiB per minute.
    const slope = (pick: (s: (typeof memory)[number]) => number) => {
      const xs = memory.slice(third).map((s) => s.at / 60_000);
      const ys = memory.slice(third).map((s) => pick(s) / 2 ** 20);
      const mx = avg(xs);
      const my = avg(ys);
      const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
      return sxx === 0 ? NaN : xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / sxx;
    };
    const perMinute = memory.filter((s, i) => i === 0 || Math.floor(s.at / 60_000) !== Math.floor(memory[i - 1]!.at / 60_000));
    progress(`memory by minute (RSS / heap used / external): ${perMinute.map((s) => `${mib(s.rss)}/${mib(s.heap)}/${mib(s.external)}`).join(', ')}`);
    const markdown = `\`flotilla serve\` (a child process, \`--concurrency ${concurrency}\`, polling every 1 s) over ${clusterCount} sandbox clusters × ${releases.length} releases (${clusterCount * releases.length} targets, 3 objects each) served from the benchmark's process, for ${seconds} s: a commit every ${commitMs / 1000} s (each changes one release's ConfigMap on every cluster) and a live ConfigMap edited every ${driftMs / 1000} s on a random cluster. Run with \`npm run bench hub-load\` (\`HUB_LOAD_SECONDS\`, \`HUB_LOAD_CLUSTERS\`, \`HUB_LOAD_COMMIT_MS\`, \`HUB_LOAD_DRIFT_MS\`, \`HUB_LOAD_CONCURRENCY\`; \`HUB_LOAD_NODE_ARGS\` passes flags such as \`--cpu-prof\` to the hub's node).

| measure | value |
|---|---|
| commits | ${commits.length}: ${commits.length - missing.length} reached all ${clusterCount} clusters (read from the clusters)${missing.length ? `; ${missing.length} had not when the ${drainSeconds} s drain ended (reached ${missing.map((c) => c.reached.size).join(', ')} clusters)` : ''} |
| edits (drift) | ${drifts.length}: ${healing.length} healed |
| after the run | ${drained ? `every target at the last generation ${sec(drainMs)} after the load stopped` : `${targetsAtLast}/${clusterCount * releases.length} targets at the last generation ${sec(drainMs)} after the load stopped`}; ${synced}/${targets.targets.length} targets \`Synced\` in the API |
| convergence per commit (push → on every cluster) | p50 ${sec(percentile(convergence, 50))}, p95 ${sec(percentile(convergence, 95))}, max ${sec(convergence.at(-1) ?? NaN)} |
| drift healed (edit → put back) | p50 ${sec(percentile(healing, 50))}, p95 ${sec(percentile(healing, 95))}, max ${sec(healing.at(-1) ?? NaN)} |
| reconcile latency (\`flotilla_reconcile_duration_seconds\`, ${histogram.count} reconciles during the load) | p50 ${q(0.5)}, p95 ${q(0.95)}, p99 ${q(0.99)} |
| hub event loop lag (\`nodejs_eventloop_lag_p99_seconds\`, the largest sample) | ${Math.max(...memory.map((x) => x.lag)).toFixed(2)} s |
| hub memory, first third → last third of the run | RSS ${mib(avg(early.map((s) => s.rss)))} → ${mib(avg(late.map((s) => s.rss)))}, heap used ${mib(avg(early.map((s) => s.heap)))} → ${mib(avg(late.map((s) => s.heap)))} (${memory.length} samples, max RSS ${mib(Math.max(...memory.map((s) => s.rss)))}) |
| hub memory trend after the first third (least squares) | RSS ${slope((s) => s.rss).toFixed(1)} MiB per minute, heap used ${slope((s) => s.heap).toFixed(1)} MiB per minute, external ${slope((s) => s.external).toFixed(1)} MiB per minute |
| hub memory at each minute (RSS / heap used / external) | ${perMinute.map((s) => `${(s.rss / 2 ** 20).toFixed(0)}/${(s.heap / 2 ** 20).toFixed(0)}/${(s.external / 2 ** 20).toFixed(0)}`).join(', ')} MiB |
| peer: the first sync of the whole fleet from empty clusters | ${sec(firstSyncMs)} (hub process start included); a commit converges in ${(percentile(convergence, 50) / firstSyncMs).toFixed(2)}× that at the median |
`;
    return { title: `Hub under load: ${clusterCount} clusters × ${releases.length} releases, commits and drift`, markdown };
  } finally {
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
    await sandbox.stop();
    rmSync(base, { recursive: true, force: true });
  }
}
