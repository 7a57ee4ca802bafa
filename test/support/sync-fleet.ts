// Shared set-up of the sync integration tests: a copy of the example fleet in a temporary
// directory, sandbox clusters named like its cluster records, and a one-shot fleet sync through the
// real adapter (client-node against the sandbox's HTTPS ports).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadFleet, renderFleet, selectTargets, type Fleet, type TargetFilter } from '../../src/fleet/index.js';
import { kubeConnector, loadKubeconfig, systemClock, type KubeSession, type KubeSessionOptions } from '../../src/kube/index.js';
import { releaseRenderer } from '../../src/render/index.js';
import { syncFleet, type ClusterConnector, type FleetSyncResult, type SyncFleetOptions } from '../../src/reconcile/index.js';
import { startSandbox, type Sandbox, type StartSandboxOptions } from '../../src/sandbox/index.js';
import { localFs } from '../../src/source/index.js';
import { toolPath } from '../../scripts/tools.js';

/** exampleFleet is the repository's example fleet. */
export const exampleFleet = new URL('../../examples/fleet', import.meta.url).pathname;

/** exampleClusters are the example fleet's cluster names. */
export const exampleClusters = ['dev-eu-west', 'dev-us-east', 'prod-eu-west', 'prod-us-east', 'staging-eu-west', 'staging-us-east'];

/** copyFleet copies a fleet directory into a fresh temporary directory and returns its path. */
export function copyFleet(from = exampleFleet): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-sync-'));
  cpSync(from, dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** startClusters starts sandbox clusters with fast controllers and a kubeconfig directory. */
export async function startClusters(names = exampleClusters, options: StartSandboxOptions = {}): Promise<Sandbox & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-sandbox-'));
  const sandbox = await startSandbox({ clusters: names, dir, controllers: { readyDelayMs: 30 }, ...options });
  const stop = sandbox.stop.bind(sandbox);
  return Object.assign(sandbox, {
    dir,
    stop: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  });
}

/** loadFleetOrThrow loads a fleet directory, throwing its first issue. */
export function loadFleetOrThrow(root: string): Fleet {
  const loaded = loadFleet(localFs, root);
  if (!loaded.ok) throw loaded.issues[0];
  return loaded.value;
}

/** SyncRun is a connector that keeps its sessions, so tests can read their request counts. */
export interface Connections {
  connect: ClusterConnector;
  sessions: Map<string, KubeSession>;
}

/** connections opens sessions to a sandbox's clusters through its kubeconfig. */
export function connections(sandbox: Sandbox, options: KubeSessionOptions = {}): Connections {
  const open = kubeConnector(loadKubeconfig({ text: sandbox.kubeconfig() }), options);
  const sessions = new Map<string, KubeSession>();
  return {
    sessions,
    connect: (record) => {
      const session = open(record);
      sessions.set(record.name, session);
      return session;
    },
  };
}

/** syncOnce renders a fleet directory and syncs the chosen targets once. */
export async function syncOnce(root: string, connect: ClusterConnector, filter: TargetFilter = {}, options: SyncFleetOptions = {}, revision = 'test'): Promise<FleetSyncResult> {
  const fleet = loadFleetOrThrow(root);
  const targets = selectTargets(fleet, filter);
  const renders = renderFleet(fleet, { fs: localFs, root, renderer: releaseRenderer, cache: releaseRenderer.createCache(), targets });
  return syncFleet({ fleet, targets: renders.map((r) => ({ target: r.target, render: r.result })), revision, connect, clock: systemClock, options: { waitIntervalMs: 20, ...options } });
}

/** renderOnce renders a fleet directory's targets (the expectation of the tests). */
export function renderOnce(root: string, filter: TargetFilter = {}) {
  const fleet = loadFleetOrThrow(root);
  return renderFleet(fleet, { fs: localFs, root, renderer: releaseRenderer, cache: releaseRenderer.createCache(), targets: selectTargets(fleet, filter) });
}

/**
 * kubectl runs the real kubectl against one sandbox cluster. It must not block: the sandbox
 * answers from this same process.
 */
export async function kubectl(sandbox: Sandbox & { dir: string }, context: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(toolPath('kubectl'), ['--kubeconfig', sandbox.kubeconfigPath!, '--context', context, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    // kubectl keeps a discovery cache under HOME; the sandbox directory is thrown away with it.
    env: { ...process.env, HOME: sandbox.dir },
  });
  return stdout;
}

/** kubectlJson runs kubectl with `-o json` and parses the answer. */
export async function kubectlJson(sandbox: Sandbox & { dir: string }, context: string, args: string[]): Promise<{ items?: unknown[] } & Record<string, unknown>> {
  return JSON.parse(await kubectl(sandbox, context, [...args, '-o', 'json'])) as { items?: unknown[] };
}
