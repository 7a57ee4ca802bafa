import { homedir } from 'node:os';
import { join } from 'node:path';
import { helmReleaseRenderer, type HelmReleaseRenderer } from '../../render/helm/index.js';
import { HelmCli } from './helm-cli.js';

/** HelmSetupOptions are what a command knows about helm: the --helm option, the environment, whether explain needs values traced. */
export interface HelmSetupOptions {
  /** The --helm option; FLOTILLA_HELM, then `helm` on PATH, when absent. */
  helm?: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default defaultHelmCacheDir(env) */
  cacheDir?: string;
  /** Trace which values file set each field (explain). @default false */
  traceValues?: boolean;
}

/**
 * defaultHelmCacheDir is where charts are cached: FLOTILLA_HELM_CACHE, else
 * $XDG_CACHE_HOME/flotilla/helm, else ~/.cache/flotilla/helm.
 */
export function defaultHelmCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLOTILLA_HELM_CACHE) return env.FLOTILLA_HELM_CACHE;
  return join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache'), 'flotilla', 'helm');
}

/**
 * createHelmRenderer composes what a command passes to renderTarget as `helm`: the pure Helm
 * release renderer over the real helm binary. helm is looked for only when a Helm release is
 * rendered, so fleets without one never need it.
 */
export function createHelmRenderer(options: HelmSetupOptions = {}): HelmReleaseRenderer {
  const env = options.env ?? process.env;
  const cli = new HelmCli({ helm: options.helm ?? (env.FLOTILLA_HELM || 'helm'), cacheDir: options.cacheDir ?? defaultHelmCacheDir(env), env });
  return helmReleaseRenderer(cli, { traceValues: options.traceValues ?? false });
}
