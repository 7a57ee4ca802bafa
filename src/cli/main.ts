import { runCli } from './program.js';

// The process entry: the only place that sets the exit status of the `flotilla` command.
process.exitCode = await runCli(process.argv.slice(2));
