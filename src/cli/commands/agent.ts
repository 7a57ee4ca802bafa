import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createHubLogger, type LogFormat } from '../../api/index.js';
import { FlotillaError } from '../../core/index.js';
import type { ClusterRecord } from '../../fleet/index.js';
import { kubeConnector, loadKubeconfig, systemClock } from '../../kube/index.js';
import { Agent, startAgentEndpoint, type ClusterConnector } from '../../reconcile/index.js';
import type { GitCredentials } from '../../source/index.js';
import type { CliContext } from '../context.js';
import { addFleetRepoOptions, durationOption as duration, logFormatOption, logLevelOption, waitForSignal } from '../runtime-options.js';
import { helmOptionHelp } from './render.js';

interface AgentCommandOptions {
  cluster: string;
  repo?: string;
  branch?: string;
  interval: string;
  context?: string;
  hub?: string;
  token?: string;
  tokenFile?: string;
  data: string;
  port: string;
  host: string;
  buffer: string;
  resync: string;
  requestTimeout: string;
  gitUsername?: string;
  gitPasswordFile?: string;
  gitSshKey?: string;
  gitKnownHosts?: string;
  logFormat: LogFormat;
  logLevel: string;
  helm?: string;
}

function wholeNumber(flag: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new FlotillaError('USAGE', `${flag} ${text} is not a whole number from ${min} to ${max}`);
  return n;
}

/**
 * agentConnector opens the agent's one cluster: --kubeconfig, else KUBECONFIG, else the pod's
 * service account; --context, else the kubeconfig's current context. The cluster record's own
 * spec.connection.context names a context of the hub's kubeconfig and is not used here.
 */
function agentConnector(kubeconfigPath: string | undefined, context: string | undefined, timeoutMs: number): { connect: ClusterConnector; where: string } {
  const env = process.env.KUBECONFIG || undefined;
  const kc = loadKubeconfig(kubeconfigPath || env ? { path: kubeconfigPath, env } : { inCluster: {} });
  const chosen = context ?? kc.getCurrentContext();
  if (!chosen) throw new FlotillaError('KUBE_CONTEXT_NOT_FOUND', `the kubeconfig ${kubeconfigPath ?? env ?? ''} has no current context`, { hint: 'Give --context CTX.' });
  const open = kubeConnector(kc, { timeoutMs });
  // Fails now, with the contexts the kubeconfig has, rather than at the first sync.
  open({ name: 'probe', connection: { context: chosen } }).close();
  return {
    connect: (record: ClusterRecord) => open({ name: record.name, connection: { context: chosen } }),
    where: kubeconfigPath || env ? `context ${chosen}` : 'in-cluster service account',
  };
}

function gitCredentials(opts: AgentCommandOptions): GitCredentials | undefined {
  const creds: GitCredentials = {};
  const username = opts.gitUsername ?? process.env.FLOTILLA_GIT_USERNAME;
  if (username) creds.username = username;
  if (opts.gitPasswordFile) creds.passwordFrom = { file: resolve(opts.gitPasswordFile) };
  else if (process.env.FLOTILLA_GIT_PASSWORD) creds.passwordFrom = { env: 'FLOTILLA_GIT_PASSWORD' };
  if (opts.gitSshKey) creds.sshKeyFile = resolve(opts.gitSshKey);
  if (opts.gitKnownHosts) creds.knownHostsFile = resolve(opts.gitKnownHosts);
  return Object.keys(creds).length ? creds : undefined;
}

function hubToken(opts: AgentCommandOptions): string | (() => string) {
  if (opts.tokenFile) {
    const file = resolve(opts.tokenFile);
    const read = () => readFileSync(file, 'utf8').trim();
    try {
      if (!read()) throw new Error('it is empty');
    } catch (error) {
      throw new FlotillaError('USAGE', `--token-file ${opts.tokenFile} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file });
    }
    // Read at each report, so a rotated Secret takes effect without a restart.
    return read;
  }
  const token = opts.token ?? process.env.FLOTILLA_TOKEN;
  if (!token) throw new FlotillaError('USAGE', '--hub needs an agent token: --token, --token-file or FLOTILLA_TOKEN', { hint: "Add an entry {name, role: agent, cluster: NAME, token} to the hub's tokens file and give the agent the token." });
  return token;
}

/**
 * registerAgent adds `flotilla agent` (SPEC §8): the pull-mode agent of one cluster. It prints
 * `listening on http://HOST:PORT` (its /metrics, /healthz and /readyz) once it serves, runs until
 * SIGINT or SIGTERM, then stops gracefully (the sync in flight finishes, one last report is tried).
 */
export function registerAgent(program: Command, ctx: CliContext): void {
  const agentCommand = program
    .command('agent')
    .description('Run the pull-mode agent of one cluster: fetch the fleet from Git, reconcile only this cluster, report to a hub')
    .requiredOption('--cluster <name>', 'the cluster record (metadata.name) this agent reconciles');
  addFleetRepoOptions(agentCommand)
    .option('--context <name>', "the kubeconfig context of this cluster (default: the kubeconfig's current context; without a kubeconfig, the pod's service account)")
    .option('--hub <url>', 'report status and events to this hub (POST /api/v1/agents/CLUSTER/report)')
    .option('--token <token>', 'the agent token for --hub (default: $FLOTILLA_TOKEN)')
    .option('--token-file <file>', 'read the agent token from this file at each report (a mounted Secret)')
    .option('--data <dir>', 'the data directory: the clone of the repository', '.flotilla-agent')
    .option('--port <port>', 'the port of /metrics, /healthz and /readyz (0 picks a free one)', '9090')
    .option('--host <address>', 'the address to listen on (0.0.0.0 in a pod)', '127.0.0.1')
    .option('--buffer <events>', 'events kept while the hub cannot be told; the oldest are dropped (and counted) beyond this', '10000')
    .option('--resync <duration>', 'full resync backstop', '10m')
    .option('--request-timeout <duration>', 'time allowed for one request to the cluster', '10s')
    .option('--git-username <name>', 'the https user name for the repository (default: $FLOTILLA_GIT_USERNAME)')
    .option('--git-password-file <file>', 'a file with the https password or token (default: $FLOTILLA_GIT_PASSWORD)')
    .option('--git-ssh-key <file>', 'the private key for ssh repository URLs')
    .option('--git-known-hosts <file>', 'known_hosts for ssh repository URLs')
    .addOption(logFormatOption())
    .addOption(logLevelOption())
    .option('--helm <path>', helmOptionHelp)
    .action(async (opts: AgentCommandOptions, command: Command) => {
      const globals = command.optsWithGlobals() as { fleet?: string; kubeconfig?: string };
      const port = wholeNumber('--port', opts.port, 0, 65535);
      const buffer = wholeNumber('--buffer', opts.buffer, 1, 10_000_000);
      const hubUrl = opts.hub?.trim() || undefined;
      if (hubUrl !== undefined && !/^https?:\/\//i.test(hubUrl)) throw new FlotillaError('USAGE', `--hub ${hubUrl} is not an http(s) URL`);
      const token = hubUrl !== undefined ? hubToken(opts) : undefined;
      const { connect, where } = agentConnector(globals.kubeconfig, opts.context, duration('--request-timeout', opts.requestTimeout));
      const logger = createHubLogger({ format: opts.logFormat, level: opts.logLevel, destination: ctx.stderr }).child({ cluster: opts.cluster });
      const agent = new Agent({
        cluster: opts.cluster,
        repo: opts.repo || resolve(globals.fleet ?? '.'),
        // Empty values come from a Deployment's $(VAR) with an empty ConfigMap key: not given.
        branch: opts.branch || undefined,
        intervalMs: duration('--interval', opts.interval),
        dataDir: resolve(opts.data),
        gitCredentials: gitCredentials(opts),
        connect,
        clock: systemClock,
        ...(hubUrl !== undefined && token !== undefined ? { hub: { url: hubUrl, token } } : {}),
        bufferCapacity: buffer,
        resyncMs: duration('--resync', opts.resync),
        helm: opts.helm,
        agentVersion: command.parent?.version(),
        log: logger,
      });
      const endpoint = await startAgentEndpoint(agent, { port, host: opts.host });
      agent.start();
      logger.info({ cluster: opts.cluster, credentials: where, hub: hubUrl !== undefined }, hubUrl !== undefined ? 'agent started; reporting to the hub' : 'agent started without a hub');
      ctx.stdout.write(`listening on ${endpoint.url}\n`);
      const signal = await waitForSignal();
      logger.info({ signal }, 'shutting down: finishing the sync in flight, sending the last report');
      await agent.stop();
      await endpoint.close();
      const left = agent.status().hub;
      if (left && left.buffered > 0) logger.warn({ buffered: left.buffered }, 'events not delivered to the hub are lost with this process');
      logger.info({}, 'stopped');
    });
}
