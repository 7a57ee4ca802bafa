import { timerClock, type Clock } from '../core/index.js';

// What the notifier reads and where it reports, described structurally: the reconcile layer's
// typed events and rollout events fit NotifyEvent, the history store fits DeadLetterSink, and a
// pino logger fits NotifyLog, without this adapter importing any of them.

/** NotifyEvent is an event to notify about: a type of SPEC §2.2's events list and its facts. */
export interface NotifyEvent {
  type: string;
  /** Milliseconds since the epoch. */
  time: number;
  cluster?: string;
  release?: string;
  revision?: string;
  /** `Kind/namespace/name` of the object the event is about. */
  object?: string;
  message?: string;
}

/** DeadLetterRecord is a delivery that failed for good. It never holds the URL or the secret. */
export interface DeadLetterRecord {
  time: number;
  notification: string;
  provider: 'slack' | 'webhook';
  deliveryId: string;
  event: NotifyEvent;
  attempts: number;
  /** The last error, with the URL and secrets redacted. */
  error: string;
}

/** DeadLetterSink records dead letters in the history (the hub's store fits it). */
export interface DeadLetterSink {
  addDeadLetter(letter: DeadLetterRecord): unknown;
}

/** NotifyLog is where the notifier says what it did; a pino logger fits it. */
export interface NotifyLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** NotifyClock is the notifier's time: now in milliseconds and a sleep that an abort ends early. */
export type NotifyClock = Clock;

/** NotifyRetryPolicy says how patiently a delivery is tried again. */
export interface NotifyRetryPolicy {
  /** Tries in total, the first included, before a dead letter. @default 5 */
  attempts: number;
  /** The delay before the second try, doubled for each further one (before jitter). @default 1000 */
  baseDelayMs: number;
  /** The longest delay, also the cap of a receiver's Retry-After. @default 60000 */
  maxDelayMs: number;
  /** How long one request may take. @default 10000 */
  timeoutMs: number;
}

/** defaultNotifyRetryPolicy is the policy every notification uses unless told otherwise. */
export function defaultNotifyRetryPolicy(): NotifyRetryPolicy {
  return { attempts: 5, baseDelayMs: 1000, maxDelayMs: 60_000, timeoutMs: 10_000 };
}

/** silentLog drops everything (the default when no logger is given). */
export const silentLog: NotifyLog = { info() {}, warn() {}, error() {} };

/** systemNotifyClock is the real clock. */
export const systemNotifyClock: NotifyClock = timerClock({ now: () => Date.now(), setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (timer) => clearTimeout(timer) });
