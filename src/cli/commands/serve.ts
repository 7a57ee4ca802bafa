import { resolve } from 'node:path';
import type { Command } from 'commander';
import { createHubLogger, HubRuntime, type LogFormat } from '../../api/index.js';
import { FlotillaError } from '../../core/index.js';
import type { CliContext } from '../context.js';
import { addFleetRepoOptions, durationOption as duration, logFormatOption, logLevelOption, portOption, waitForSignal } from '../runtime-options.js';
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

/**
 * registerServe adds `flotilla serve`, the hub (SPEC §8, §9): it prints `listening on
 * http://HOST:PORT` once it serves, runs until SIGINT or SIGTERM, then shuts down gracefully.
 */
export function registerServe(program: Command, ctx: CliContext): void {
  const serveCommand = program
    .command('serve')
    .description('Run the hub: reconcile the fleet from Git continuously; serve the API, dashboard, webhooks and metrics');
  addFleetRepoOptions(serveCommand)
    .option('--port <port>', 'the port to listen on (0 picks a free one)', '8080')
    .option('--host <address>', 'the address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--data <dir>', 'the data directory: history, audit log, rollout state, lock', '.flotilla-hub')
    .option('--tokens <file>', 'the API tokens file (default: $FLOTILLA_TOKENS)')
    .option('--webhook-secret-file <file>', 'the Git webhook secret (default: $FLOTILLA_WEBHOOK_SECRET)')
    .addOption(logFormatOption())
    .addOption(logLevelOption())
    .option('--resync <duration>', 'full resync backstop per cluster', '10m')
    .option('--concurrency <n>', 'clusters synced at the same time', '8')
    .option('--helm <path>', helmOptionHelp)
    .action(async (opts: ServeOptions, command: Command) => {
      const globals = command.optsWithGlobals() as { fleet?: string; kubeconfig?: string };
      const port = portOption(opts.port);
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
