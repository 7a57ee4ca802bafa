import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

// Structured logs for the hub. JSON lines (`--log-format json`) for log pipelines, or one readable
// line per record (`text`). Tokens, signatures and secrets are redacted by path wherever they could
// appear, and the request logs name the route and the actor, never the Authorization header.

/** LogFormat is the hub's --log-format. */
export type LogFormat = 'json' | 'text';

/** redactPaths are the fields a log record never shows. */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-gitlab-token"]',
  'headers.authorization',
  'headers["x-hub-signature-256"]',
  'headers["x-gitlab-token"]',
  'authorization',
  'token',
  'secret',
  'password',
  'url',
  '*.token',
  '*.secret',
  '*.password',
  '*.webhookSecret',
];

/** HubLoggerOptions choose the format, the level and where lines go. */
export interface HubLoggerOptions {
  /** @default 'text' */
  format?: LogFormat;
  /** @default 'info' */
  level?: string;
  /** @default stderr */
  destination?: DestinationStream | NodeJS.WritableStream;
}

/** createHubLogger builds the hub's logger: pino with the redaction paths, as JSON or as text. */
export function createHubLogger(options: HubLoggerOptions = {}): Logger {
  const base = { level: options.level ?? 'info', redact: { paths: redactPaths, censor: '[redacted]' }, base: { name: 'flotilla' } };
  const destination = (options.destination ?? process.stderr) as DestinationStream;
  if ((options.format ?? 'text') === 'json') return pino({ ...base, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  return pino(base, pretty({ destination, colorize: false, sync: true, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' }));
}
