import { errorCodes, type ErrorCode } from './error-codes.js';
import { formatRef, type ObjectRef } from './ref.js';

/** FlotillaErrorOptions are the facts an error can carry besides its code and message. */
export interface FlotillaErrorOptions {
  /** The file the error is about, as the user named it (relative to the root when possible). */
  file?: string;
  /** The field path inside that file, e.g. `patches[2].target.kind`. */
  field?: string;
  /** The object the error is about. */
  object?: ObjectRef;
  /** The cluster the error is about. */
  cluster?: string;
  /** What the user should do; defaults to the code's registered hint. */
  hint?: string;
  /** Whether trying again later may succeed (network, conflicts). @default false */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * FlotillaError is the one error type Flotilla code throws or returns for expected failures.
 * Its `code` is stable and registered in `errorCodes`; its message names the file, field,
 * cluster or object it is about.
 */
export class FlotillaError extends Error {
  readonly code: ErrorCode;
  readonly file?: string;
  readonly field?: string;
  readonly object?: ObjectRef;
  readonly cluster?: string;
  readonly hint: string;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: FlotillaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FlotillaError';
    this.code = code;
    this.file = options.file;
    this.field = options.field;
    this.object = options.object;
    this.cluster = options.cluster;
    this.hint = options.hint ?? errorCodes[code].hint;
    this.retryable = options.retryable ?? false;
  }

  /** location is the "file: field: object" prefix that says where the problem is. */
  get location(): string {
    const parts: string[] = [];
    if (this.cluster) parts.push(`cluster ${this.cluster}`);
    if (this.file) parts.push(this.file);
    if (this.field) parts.push(this.field);
    if (this.object) parts.push(formatRef(this.object));
    return parts.join(': ');
  }

  /** toJSON is the shape `--output json` and the API print. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.file ? { file: this.file } : {}),
      ...(this.field ? { field: this.field } : {}),
      ...(this.object ? { object: formatRef(this.object) } : {}),
      ...(this.cluster ? { cluster: this.cluster } : {}),
      hint: this.hint,
      retryable: this.retryable,
    };
  }
}

/** isFlotillaError tells FlotillaErrors apart from anything else thrown. */
export function isFlotillaError(value: unknown): value is FlotillaError {
  return value instanceof FlotillaError;
}

/** Issue is one problem found while validating; expected failures are returned as lists of issues. */
export type Issue = FlotillaError;

/** Result is the value of an operation whose failure is an expected outcome, not an exception. */
export type Result<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/** ok wraps a value as a successful Result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

/** fail wraps one or more issues as a failed Result. */
export function fail<T = never>(...issues: Issue[]): Result<T> {
  return { ok: false, issues };
}
