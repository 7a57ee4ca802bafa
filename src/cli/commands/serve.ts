import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { createHubLogger, HubRuntime, type LogFormat } from '../../api/index.js';
import { FlotillaError } from '../../core/index.js';
import { parseDuration } from '../../fleet/index.js';
import type { CliContext } from '../context.js';
import { helmOptionHelp } from './render.js';

interface ServeOptions {
  repo?: string;
  branch?: string;
  interval: string;
  port: string;
  host: string;
  data: string;
  tokens?: string;
  webhookSecretFile?: string;
  logFormat: LogFormat;
  logLevel: string;
  resync: string;
  concurrency: string;
  helm?: string;
}

function duration(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (!(ms > 0)) throw new FlotillaError('USAGE', `${flag} ${text} is not a duration such as 30s, 1m or 10m`);
  return ms;
}

/** waitForSignal resolves at the first SIGINT or SIGTERM; a second one ends the process at once. */
function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((done) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      done(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/**
 * registerServe adds `flotilla serve`, the hub (SPEC §8, §9): it prints `listening on
 * http://HOST:PORT` once it serves, runs until SIGINT or SIGTERM, then shuts down gracefully.
 */
export function registerServe(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('Run the hub: reconcile the fleet from Git continuously; serve the API, dashboard, webhooks and metrics')
    .option('--repo <url>', 'the fleet repository: an https, ssh or file URL, or a path (default: the --fleet directory, a Git checkout)')
    .option('--branch <name>', "the branch to follow (default: the repository's default branch)")
    .option('--interval <duration>', 'how often to fetch the repository', '1m')
    .option('--port <port>', 'the port to listen on (0 picks a free one)', '8080')
    .option('--host <address>', 'the address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--data <dir>', 'the data directory: history, audit log, rollout state, lock', '.flotilla-hub')
    .option('--tokens <file>', 'the API tokens file (default: $FLOTILLA_TOKENS)')
    .option('--webhook-secret-file <file>', 'the Git webhook secret (default: $FLOTILLA_WEBHOOK_SECRET)')
    .addOption(new Option('--log-format <format>', 'log lines as text or JSON').choices(['text', 'json']).default('text'))
    .addOption(new Option('--log-level <level>', 'the lowest level logged').choices(['trace', 'debug', 'info', 'warn', 'error']).default('info'))
    .option('--resync <duration>', 'full resync backstop per cluster', '10m')
    .option('--concurrency <n>', 'clusters synced at the same time', '8')
    .option('--helm <path>', helmOptionHelp)
    .action(async (opts: ServeOptions, command: Command) => {
      const globals = command.optsWithGlobals() as { fleet?: string; kubeconfig?: string };
      const port = Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FlotillaError('USAGE', `--port ${opts.port} is not a port number`);
      const concurrency = Number(opts.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1) throw new FlotillaError('USAGE', `--concurrency ${opts.concurrency} is not a positive whole number`);
      const logger = createHubLogger({ format: opts.logFormat, level: opts.logLevel, destination: ctx.stderr });
      const hub = await HubRuntime.start({
        repo: opts.repo ?? resolve(globals.fleet ?? '.'),
        branch: opts.branch,
        intervalMs: duration('--interval', opts.interval),
        dataDir: resolve(opts.data),
        port,
        host: opts.host,
        ...(opts.tokens !== undefined ? { tokensFile: resolve(opts.tokens) } : { tokensText: process.env.FLOTILLA_TOKENS }),
        ...(opts.webhookSecretFile !== undefined ? { webhookSecretFile: resolve(opts.webhookSecretFile) } : { webhookSecret: process.env.FLOTILLA_WEBHOOK_SECRET }),
        kubeconfig: { path: globals.kubeconfig, env: process.env.KUBECONFIG },
        resyncMs: duration('--resync', opts.resync),
        concurrency,
        helm: opts.helm,
        logger,
      });
      ctx.stdout.write(`listening on ${hub.url}\n`);
      const signal = await waitForSignal();
      logger.info({ signal }, 'shutting down: finishing requests and syncs in flight');
      await hub.close();
      logger.info({}, 'stopped');
    });
}
