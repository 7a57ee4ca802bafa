import { errorCodes, isFlotillaError, FlotillaError } from '../core/index.js';

/** exitCodes are the process exit statuses of SPEC §8. */
export const exitCodes = { ok: 0, error: 1, changes: 2, blocked: 3 } as const;

/** OutputFormat is how a command prints: for people, or JSON for programs. */
export type OutputFormat = 'text' | 'json';

/**
 * reportError is the CLI's one error edge: every failure of every command ends here, is printed
 * with where it happened and what to do, and becomes an exit status. Unknown errors are bugs and
 * are printed as INTERNAL with their stack only when FLOTILLA_DEBUG is set.
 */
export function reportError(error: unknown, format: OutputFormat, stderr: NodeJS.WritableStream, stdout: NodeJS.WritableStream, debug = false): number {
  const problem = isFlotillaError(error)
    ? error
    : new FlotillaError('INTERNAL', error instanceof Error ? error.message : String(error), { cause: error });
  if (format === 'json') {
    stdout.write(JSON.stringify({ error: problem.toJSON() }, null, 2) + '\n');
  } else {
    stderr.write(`error [${problem.code}]: ${problem.message}\n`);
    if (problem.hint) stderr.write(`  hint: ${problem.hint}\n`);
    if (debug && !isFlotillaError(error) && error instanceof Error && error.stack) stderr.write(error.stack + '\n');
  }
  return errorCodes[problem.code].exit;
}
