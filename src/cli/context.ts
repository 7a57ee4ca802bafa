import type { OutputFormat } from './exit.js';

/** CliContext is what every command receives: where to print and in which format. */
export interface CliContext {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** format is read when a command runs, after the global options are parsed. */
  format(): OutputFormat;
  /** exitCode lets a command end with a status other than 0 without throwing (2: changes, 3: blocked). */
  setExitCode(code: number): void;
}
