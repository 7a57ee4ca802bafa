import { join } from 'node:path';
import { GitSource, type GitCredentials, type GitSourceOptions } from '../source/index.js';

// The hub and the agent follow the fleet repository the same way: one clone under DATA/source,
// fetched every interval; only what they do with a revision or a failed fetch differs.

/** FleetSourceOptions are the repository settings the hub and the agent share. */
export interface FleetSourceOptions {
  repo: string;
  branch?: string;
  /** @default 60000 */
  intervalMs?: number;
  dataDir: string;
  gitCredentials?: GitCredentials;
  env?: NodeJS.ProcessEnv;
}

/** openFleetSource is the Git source of the fleet repository, cloned under DATA/source, reporting to the given handlers. */
export function openFleetSource(options: FleetSourceOptions, handlers: Pick<GitSourceOptions, 'onRevision' | 'onError'>): GitSource {
  return new GitSource({
    url: options.repo,
    branch: options.branch,
    dir: join(options.dataDir, 'source'),
    intervalMs: options.intervalMs ?? 60_000,
    credentials: options.gitCredentials,
    env: options.env,
    onRevision: handlers.onRevision,
    onError: handlers.onError,
  });
}
