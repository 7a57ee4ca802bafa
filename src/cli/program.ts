import { Command, CommanderError, Option } from 'commander';
import { FlotillaError } from '../core/index.js';
import { registerBuild } from './commands/build.js';
import { registerRender } from './commands/render.js';
import { registerPlan } from './commands/plan.js';
import { registerExplain } from './commands/explain.js';
import { registerSandbox } from './commands/sandbox.js';
import { registerSync } from './commands/sync.js';
import { registerDiff } from './commands/diff.js';
import { registerStatus } from './commands/status.js';
import { registerRollout } from './commands/rollout.js';
import { registerServe } from './commands/serve.js';
import { registerInit } from './commands/init.js';
import { registerBootstrap } from './commands/bootstrap.js';
import { registerAgent } from './commands/agent.js';
import { registerDemo } from './commands/demo.js';
import type { CliContext } from './context.js';
import { reportError, type OutputFormat } from './exit.js';

/** RunCliOptions lets tests run the CLI in-process with their own streams. */
export interface RunCliOptions {
  stdout?: CliContext['stdout'];
  stderr?: CliContext['stderr'];
}

/** createProgram builds the command tree; the command reference in docs/ is generated from it. */
export function createProgram(ctx: CliContext): Command {
  const program = new Command('flotilla')
    .description('Flotilla keeps a fleet of Kubernetes clusters in the state one Git repository describes.')
    .version('0.1.0')
    .addOption(new Option('-o, --output <format>', 'output format (markdown: plan only)').choices(['text', 'json', 'markdown']).default('text'))
    .option('--fleet <dir>', 'the fleet repository directory', '.')
    .option('--kubeconfig <file>', 'kubeconfig with the cluster credentials (default: $KUBECONFIG)')
    .showHelpAfterError()
    .enablePositionalOptions(false);
  registerBuild(program, ctx);
  registerRender(program, ctx);
  registerPlan(program, ctx);
  registerExplain(program, ctx);
  registerSandbox(program, ctx);
  registerSync(program, ctx);
  registerDiff(program, ctx);
  registerStatus(program, ctx);
  registerRollout(program, ctx);
  registerServe(program, ctx);
  registerInit(program, ctx);
  registerBootstrap(program, ctx);
  registerAgent(program, ctx);
  registerDemo(program, ctx);
  return program;
}

/** runCli runs one command line and returns the exit status; it never calls process.exit. */
export async function runCli(argv: string[], options: RunCliOptions = {}): Promise<number> {
  let exitCode = 0;
  let format: OutputFormat = argv.includes('json') && /(^|\s)(-o|--output)(=|\s)json/.test(argv.join(' ')) ? 'json' : 'text';
  const ctx: CliContext = {
    stdout: options.stdout ?? process.stdout,
    stderr: options.stderr ?? process.stderr,
    format: () => format,
    setExitCode: (code) => {
      exitCode = code;
    },
  };
  const program = createProgram(ctx);
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => ctx.stdout.write(s),
    writeErr: (s) => ctx.stderr.write(s),
  });
  program.hook('preAction', (cmd) => {
    format = (cmd.optsWithGlobals().output as OutputFormat) ?? 'text';
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      return reportError(new FlotillaError('USAGE', error.message.replace(/^error: /, '')), format, ctx.stderr, ctx.stdout);
    }
    return reportError(error, format, ctx.stderr, ctx.stdout, Boolean(process.env.FLOTILLA_DEBUG));
  }
}
