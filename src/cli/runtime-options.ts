import { Option, type Command } from 'commander';
import { FlotillaError } from '../core/index.js';
import { parseDuration } from '../fleet/index.js';

// The long-running commands (agent, serve, demo) read the same kinds of options and stop the same
// way; one definition keeps their flags, messages and shutdown behaviour from drifting apart.

/** durationOption reads a duration flag such as 30s, 1m or 10m, longer than 0, as milliseconds. */
export function durationOption(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (!(ms > 0)) throw new FlotillaError('USAGE', `${flag} ${text} is not a duration such as 30s, 1m or 10m`);
  return ms;
}

/** portOption reads a --port value: a whole number from 0 (a free port) to 65535. */
export function portOption(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FlotillaError('USAGE', `--port ${text} is not a port number`);
  return port;
}

/** addFleetRepoOptions adds --repo, --branch and --interval: the fleet repository a long-running command follows. */
export function addFleetRepoOptions(command: Command): Command {
  return command
    .option('--repo <url>', 'the fleet repository: an https, ssh or file URL, or a path (default: the --fleet directory, a Git checkout)')
    .option('--branch <name>', "the branch to follow (default: the repository's default branch)")
    .option('--interval <duration>', 'how often to fetch the repository', '1m');
}

/** logFormatOption is the --log-format option: log lines as text or JSON. */
export function logFormatOption(): Option {
  return new Option('--log-format <format>', 'log lines as text or JSON').choices(['text', 'json']).default('text');
}

/** logLevelOption is the --log-level option with the given help and default level. */
export function logLevelOption(description = 'the lowest level logged', level = 'info'): Option {
  return new Option('--log-level <level>', description).choices(['trace', 'debug', 'info', 'warn', 'error']).default(level);
}

/** waitForSignal resolves at the first SIGINT or SIGTERM; a second one ends the process at once (Node's default). */
export function waitForSignal(): Promise<NodeJS.Signals> {
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
