// Shared set-up of the reliability tests: a small fleet in a bare Git repository (a work clone
// pushes to it), sandbox clusters, the hub in-process or as a real `flotilla serve` child process,
// and waits that poll without timing assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createHubLogger, HubRuntime, type HubRuntimeOptions } from '../../src/api/index.js';
import { clusterRecord, writeTree } from '../support/fleet-files.js';
import { bareFleet, type GitFleet } from '../support/git-fleet.js';
import { kubectlJson, startClusters } from '../support/sync-fleet.js';

export { writeTree };

/** tokens of the reliability hubs (test values). */
export const tokens = { viewer: 'rel-viewer-token-7f3a9c', operator: 'rel-operator-token-2b8e1d', admin: 'rel-admin-token-9d4c6a' };

/** ClusterSpec is one cluster of a test fleet: its name and env label (dev or prod). */
export interface ClusterSpec {
  name: string;
  env: 'dev' | 'prod';
}

/** FleetOptions shape the test fleet. */
export interface FleetOptions {
  clusters: ClusterSpec[];
  /** Waves dev then prod (soak in seconds). */
  rollout?: { soak?: string; approval?: boolean; failurePolicy?: 'halt' | 'rollback' };
  /** Extra ConfigMaps of release web: name → greeting. */
  extra?: Record<string, string>;
  greeting?: string;
}

const clusterYaml = (c: ClusterSpec) => clusterRecord(c.name, { labels: { env: c.env } });

/** fleetFiles is the file tree of a test fleet: release web (Namespace web, ConfigMap web-config, extras). */
export function fleetFiles(options: FleetOptions): Record<string, string> {
  const rollout = options.rollout
    ? `  rollout:
    waves:
    - {name: dev, selector: {matchLabels: {env: dev}}${options.rollout.soak ? `, soak: ${options.rollout.soak}` : ''}}
    - {name: prod, selector: {matchLabels: {env: prod}}${options.rollout.approval ? ', approval: manual' : ''}}
    failurePolicy: ${options.rollout.failurePolicy ?? 'halt'}
`
    : '';
  const extra = Object.entries(options.extra ?? {});
  const files: Record<string, string> = {
    'flotilla.yaml': `apiVersion: flotilla.dev/v1alpha1
kind: Fleet
metadata: {name: reliability}
spec:
  releases:
  - name: web
    path: apps/web
    namespace: web
    targets: {selector: {}}
${rollout}`,
    'apps/web/kustomization.yaml': `resources: [namespace.yaml, config.yaml${extra.map(([n]) => `, ${n}.yaml`).join('')}]\n`,
    'apps/web/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n',
    'apps/web/config.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web-config}\ndata: {greeting: ${options.greeting ?? 'hello'}, cluster: "\${CLUSTER_NAME}"}\n`,
  };
  for (const [name, greeting] of extra) files[`apps/web/${name}.yaml`] = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {greeting: ${greeting}}\n`;
  for (const c of options.clusters) files[`clusters/${c.name}/cluster.yaml`] = clusterYaml(c);
  return files;
}

/** FleetRepo is a work repository and the bare repository the hub follows. */
export interface FleetRepo {
  work: GitFleet;
  bare: string;
  /** commit writes files (a whole tree from fleetFiles, or some of them), commits and pushes; returns the commit. */
  commit(files: Record<string, string>, message: string): string;
}

/** fleetRepo creates the fleet's repositories on branch main (the files of fleetFiles, or the given ones). */
export function fleetRepo(options: FleetOptions, files: Record<string, string> = fleetFiles(options)): FleetRepo {
  const { work, bare } = bareFleet(files);
  return {
    work,
    bare,
    commit(files, message) {
      writeTree(work.dir, files);
      const commit = work.commit(message);
      work.git('push', '--quiet', 'origin', 'main');
      return commit;
    },
  };
}

/** sandboxFor starts sandbox clusters for a test fleet (fast controllers) and writes their kubeconfig. */
export async function sandboxFor(clusters: ClusterSpec[]) {
  return startClusters(
    clusters.map((c) => c.name),
    { controllers: { readyDelayMs: 30 } },
  );
}

/** Sandboxed is what sandboxFor returns. */
export type Sandboxed = Awaited<ReturnType<typeof sandboxFor>>;

/** tokensFile writes the hub's tokens file into a directory. */
export function tokensFile(dir: string, extra = ''): string {
  const file = join(dir, 'tokens.yaml');
  writeFileSync(file, `- {name: vera, role: viewer, token: ${tokens.viewer}}\n- {name: otto, role: operator, token: ${tokens.operator}}\n- {name: ada, role: admin, token: ${tokens.admin}}\n${extra}`);
  return file;
}

/** InProcessHub is a hub started in this process with its log lines captured. */
export interface InProcessHub {
  hub: HubRuntime;
  logs: string[];
  options: HubRuntimeOptions;
}

/** startHub starts a hub in-process over a fleet repository and a sandbox, with fast intervals. */
export async function startHub(repo: FleetRepo, sandbox: Sandboxed, overrides: Partial<HubRuntimeOptions> = {}): Promise<InProcessHub> {
  const base = mkdtempSync(join(tmpdir(), 'flotilla-rel-hub-'));
  const logs: string[] = [];
  const options: HubRuntimeOptions = {
    repo: repo.bare,
    branch: 'main',
    intervalMs: 300,
    dataDir: join(base, 'data'),
    port: 0,
    tokensFile: tokensFile(base),
    kubeconfig: { text: sandbox.kubeconfig() },
    rolloutStepMs: 50,
    waitIntervalMs: 20,
    requestTimeoutMs: 1500,
    logger: createHubLogger({ format: 'json', level: 'debug', destination: new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }) }),
    ...overrides,
  };
  return { hub: await HubRuntime.start(options), logs, options };
}

/** ChildHub is `flotilla serve` running as a child process. */
export interface ChildHub {
  child: ChildProcess;
  url: string;
  output: () => string;
  /** exited resolves once the process is gone. */
  exited: Promise<void>;
}

const mainTs = new URL('../../src/cli/main.ts', import.meta.url).pathname;

/** spawnHub runs `node --import tsx src/cli/main.ts serve …` and resolves once it prints its listening line. */
export async function spawnHub(args: { repo: string; data: string; kubeconfig: string; tokens: string; interval?: string }): Promise<ChildHub> {
  const child = spawn(process.execPath, ['--import', 'tsx', mainTs, 'serve', '--repo', args.repo, '--branch', 'main', '--data', args.data, '--port', '0', '--tokens', args.tokens, '--interval', args.interval ?? '1s', '--kubeconfig', args.kubeconfig], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await waitFor('the hub to print its listening line', () => /listening on (http:\/\/\S+)/.exec(out)?.[1] ?? (child.exitCode !== null ? (() => { throw new Error(`the hub exited: ${out}`); })() : undefined), 30_000);
  return { child, url, output: () => out, exited };
}

/** waitFor polls until `find` gives a value (not undefined or false). */
export async function waitFor<T>(what: string, find: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** api calls the hub's API with a token and parses JSON answers. */
export async function api(url: string, path: string, token: string | undefined = tokens.admin, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) };
}

/** configMap reads a ConfigMap's data from a sandbox cluster, or undefined when it is absent or the cluster is down. */
export async function configMap(sandbox: Sandboxed, cluster: string, name: string, namespace = 'web'): Promise<Record<string, string> | undefined> {
  try {
    return (await kubectlJson(sandbox, cluster, ['get', 'configmap', name, '-n', namespace])).data as Record<string, string>;
  } catch {
    return undefined;
  }
}

/** greetings reads web-config's greeting on every cluster. */
export async function greetings(sandbox: Sandboxed, clusters: ClusterSpec[]): Promise<Record<string, string | undefined>> {
  const out: Record<string, string | undefined> = {};
  for (const c of clusters) out[c.name] = (await configMap(sandbox, c.name, 'web-config'))?.greeting;
  return out;
}
