import { readFileSync } from 'node:fs';
import { FlotillaError } from '../core/index.js';
import type { SecretSource } from '../fleet/index.js';

// Notification URLs and secrets come from the hub's environment or files only, never from Git
// (SPEC §2.2). They are read at each delivery so that a rotated file or secret mount takes effect
// without a restart. Messages name the variable or the file, never the value.

/** SecretReader is how secrets are read; tests inject both. */
export interface SecretReader {
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** @default fs.readFileSync(path, 'utf8') */
  readFile?: (path: string) => string;
}

/** describeSecretSource names where a secret comes from, for messages: `env SLACK_URL` or `file /run/secrets/x`. */
export function describeSecretSource(source: SecretSource): string {
  return source.env !== undefined ? `env ${source.env}` : `file ${source.file ?? '?'}`;
}

/**
 * resolveSecret reads a secret from exactly one of `env` and `file` (a file's trailing newline is
 * dropped), or throws NOTIFY_SECRET_UNAVAILABLE naming the notification, the field and the source.
 */
export function resolveSecret(source: SecretSource | undefined, where: { notification: string; field: string }, reader: SecretReader = {}): string {
  const fail = (why: string) =>
    new FlotillaError('NOTIFY_SECRET_UNAVAILABLE', `notification ${where.notification}: ${where.field}: ${why}`, { field: `notifications.${where.notification}.${where.field}` });
  if (!source || (source.env === undefined) === (source.file === undefined)) throw fail('give exactly one of env and file');
  if (source.env !== undefined) {
    const value = (reader.env ?? process.env)[source.env];
    if (value === undefined || value.trim() === '') throw fail(`the environment variable ${source.env} is not set on the hub`);
    return value.trim();
  }
  let text: string;
  try {
    text = (reader.readFile ?? ((path: string) => readFileSync(path, 'utf8')))(source.file!);
  } catch (error) {
    throw fail(`the file ${source.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const value = text.replace(/\r?\n$/, '');
  if (value.trim() === '') throw fail(`the file ${source.file} is empty`);
  return value;
}

/** resolveUrl resolves a secret that must be an http(s) URL; the message never shows the value. */
export function resolveUrl(source: SecretSource | undefined, where: { notification: string; field: string }, reader: SecretReader = {}): URL {
  const text = resolveSecret(source, where, reader);
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new FlotillaError('NOTIFY_SECRET_UNAVAILABLE', `notification ${where.notification}: ${where.field}: ${describeSecretSource(source!)} does not hold an http(s) URL`, {
      field: `notifications.${where.notification}.${where.field}`,
    });
  }
  return url;
}
