import { randomUUID } from 'node:crypto';
import { FlotillaError } from '../core/index.js';
import type { NotificationSpec } from '../fleet/index.js';
import { deliver, type FetchLike } from './deliver.js';
import { slackPayload, webhookPayload } from './payload.js';
import { redactSecrets, redactUrl } from './redact.js';
import { describeSecretSource, resolveSecret, resolveUrl, type SecretReader } from './secret.js';
import { deliveryHeader, eventHeader, signatureHeader, signWebhook, timestampHeader } from './sign.js';
import { defaultNotifyRetryPolicy, silentLog, systemNotifyClock, type DeadLetterSink, type NotifyClock, type NotifyEvent, type NotifyLog, type NotifyRetryPolicy } from './types.js';

// The notifier subscribes to the event stream. Each notification of the fleet file has its own
// queue, delivered in order, so that a slow or dead receiver holds up only itself, never the
// reconcile loop (notify() returns at once) nor the other receivers.

/** NotifierOptions are the notifier's collaborators and limits; every field has a default. */
export interface NotifierOptions {
  /** The fleet's name, shown in messages. */
  fleet?: string;
  /** Where URLs and secrets are read from. @default process.env and the file system */
  secrets?: SecretReader;
  /** @default the global fetch */
  fetch?: FetchLike;
  /** @default the real clock */
  clock?: NotifyClock;
  /** @default Math.random */
  random?: () => number;
  retry?: Partial<NotifyRetryPolicy>;
  /** Where deliveries that failed for good are recorded. */
  deadLetters?: DeadLetterSink;
  log?: NotifyLog;
  /** @default crypto.randomUUID */
  newId?: () => string;
  /** Deliveries waiting per notification; beyond it new ones become dead letters at once. @default 1000 */
  maxQueue?: number;
}

/** NotifierStats counts what the notifier did since it started. */
export interface NotifierStats {
  delivered: number;
  deadLetters: number;
  queued: number;
}

interface Job {
  spec: NotificationSpec;
  event: NotifyEvent;
  deliveryId: string;
}

interface Queue {
  jobs: Job[];
  running?: Promise<void>;
}

const userAgent = 'flotilla-notifier/0.1';

/**
 * Notifier sends the events a notification subscribes to (its `events` list) to Slack incoming
 * webhooks and to generic JSON webhooks signed with HMAC-SHA256, retries with backoff and jitter,
 * and records a dead letter when a receiver keeps failing. URLs and secrets are read from the env
 * or files at each delivery and never appear in logs, errors or dead letters.
 */
export class Notifier {
  private specs: NotificationSpec[];
  private readonly options: NotifierOptions;
  private readonly policy: NotifyRetryPolicy;
  private readonly clock: NotifyClock;
  private readonly log: NotifyLog;
  private readonly queues = new Map<string, Queue>();
  private readonly shutdown = new AbortController();
  private readonly counters = { delivered: 0, deadLetters: 0 };
  private closed = false;

  constructor(notifications: readonly NotificationSpec[], options: NotifierOptions = {}) {
    this.specs = [...notifications];
    this.options = options;
    this.policy = { ...defaultNotifyRetryPolicy(), ...options.retry };
    this.clock = options.clock ?? systemNotifyClock;
    this.log = options.log ?? silentLog;
  }

  /** setNotifications replaces the notifications (the fleet file changed); queued deliveries still go out. */
  setNotifications(notifications: readonly NotificationSpec[]): void {
    this.specs = [...notifications];
  }

  /**
   * check reads every URL and secret now and answers the problems (the hub logs them at start);
   * a webhook without secretFrom is reported too, as a warning, because its deliveries are unsigned.
   */
  check(): { errors: FlotillaError[]; warnings: string[] } {
    const errors: FlotillaError[] = [];
    const warnings: string[] = [];
    for (const spec of this.specs) {
      try {
        resolveUrl(spec.urlFrom, { notification: spec.name, field: 'urlFrom' }, this.options.secrets);
        if (spec.secretFrom) resolveSecret(spec.secretFrom, { notification: spec.name, field: 'secretFrom' }, this.options.secrets);
        else if (spec.type === 'webhook') warnings.push(`notification ${spec.name}: no secretFrom, so its deliveries are not signed; receivers cannot tell them from forgeries`);
      } catch (error) {
        errors.push(error as FlotillaError);
      }
    }
    return { errors, warnings };
  }

  /** notify queues the event for every notification that subscribes to its type and answers how many. */
  notify<E extends NotifyEvent>(event: E): number {
    if (this.closed) return 0;
    let queued = 0;
    for (const spec of this.specs) {
      if (!spec.events.includes(event.type)) continue;
      const job: Job = { spec, event, deliveryId: (this.options.newId ?? randomUUID)() };
      let queue = this.queues.get(spec.name);
      if (!queue) this.queues.set(spec.name, (queue = { jobs: [] }));
      if (queue.jobs.length >= (this.options.maxQueue ?? 1000)) {
        this.deadLetter(job, 0, `not sent: ${queue.jobs.length} deliveries already wait for this receiver (it is down or too slow)`);
        continue;
      }
      queue.jobs.push(job);
      queued++;
      if (!queue.running) {
        const q = queue;
        q.running = this.drain(q).finally(() => {
          q.running = undefined;
        });
      }
    }
    return queued;
  }

  /** idle resolves once every queued delivery has been delivered or dead-lettered. */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.queues.values()].map((q) => q.running).filter((p): p is Promise<void> => p !== undefined);
      if (running.length === 0) return;
      await Promise.all(running);
    }
  }

  /**
   * close stops taking events and ends the retry waits: the attempt in flight finishes, and every
   * delivery that did not go out becomes a dead letter, so a shutdown loses nothing silently.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.shutdown.abort();
    await this.idle();
  }

  /** stats counts deliveries and dead letters so far, and what waits. */
  stats(): NotifierStats {
    return { ...this.counters, queued: [...this.queues.values()].reduce((n, q) => n + q.jobs.length, 0) };
  }

  private async drain(queue: Queue): Promise<void> {
    for (let job = queue.jobs.shift(); job; job = queue.jobs.shift()) {
      if (this.shutdown.signal.aborted) {
        this.deadLetter(job, 0, 'not sent: the hub shut down first');
        continue;
      }
      await this.send(job);
    }
  }

  private async send(job: Job): Promise<void> {
    const { spec, event, deliveryId } = job;
    const fields = { notification: spec.name, provider: spec.type, deliveryId, event: event.type };
    let url: URL;
    let secret: string | undefined;
    try {
      url = resolveUrl(spec.urlFrom, { notification: spec.name, field: 'urlFrom' }, this.options.secrets);
      if (spec.secretFrom) secret = resolveSecret(spec.secretFrom, { notification: spec.name, field: 'secretFrom' }, this.options.secrets);
    } catch (error) {
      this.deadLetter(job, 0, (error as Error).message);
      return;
    }
    const body = JSON.stringify(spec.type === 'slack' ? slackPayload(event, this.options.fleet) : webhookPayload(event, deliveryId, this.options.fleet));
    const headers = (now: number): Record<string, string> => {
      const h: Record<string, string> = { 'content-type': 'application/json', 'user-agent': userAgent, [eventHeader]: event.type, [deliveryHeader]: deliveryId };
      if (spec.type === 'webhook' && secret !== undefined) {
        const timestamp = Math.floor(now / 1000);
        h[timestampHeader] = String(timestamp);
        h[signatureHeader] = signWebhook(secret, timestamp, body);
      }
      return h;
    };
    const outcome = await deliver(
      { url, body, headers },
      {
        fetch: this.options.fetch ?? (globalThis.fetch as unknown as FetchLike),
        clock: this.clock,
        random: this.options.random ?? Math.random,
        policy: this.policy,
        signal: this.shutdown.signal,
        redact: (text) => redactSecrets(text, url, [secret]),
        onRetry: (attempt, error, delayMs) => this.log.warn({ ...fields, receiver: redactUrl(url), attempt, retryInMs: delayMs, error }, 'notification delivery failed; retrying'),
      },
    );
    if (outcome.ok) {
      this.counters.delivered++;
      this.log.info({ ...fields, receiver: redactUrl(url), attempts: outcome.attempts, status: outcome.status }, 'notification delivered');
      return;
    }
    this.deadLetter(job, outcome.attempts, `${outcome.error} (receiver ${redactUrl(url)}, ${outcome.attempts} ${outcome.attempts === 1 ? 'attempt' : 'attempts'})`);
  }

  private deadLetter(job: Job, attempts: number, error: string): void {
    this.counters.deadLetters++;
    const letter = { time: this.clock.now(), notification: job.spec.name, provider: job.spec.type, deliveryId: job.deliveryId, event: job.event, attempts, error };
    this.log.error({ notification: job.spec.name, provider: job.spec.type, deliveryId: job.deliveryId, event: job.event.type, attempts, error }, 'notification not delivered; recorded as a dead letter');
    try {
      this.options.deadLetters?.addDeadLetter(letter);
    } catch (sinkError) {
      this.log.error({ notification: job.spec.name, deliveryId: job.deliveryId, error: (sinkError as Error).message }, 'the dead letter could not be recorded');
    }
  }
}

/** describeNotification names a notification and where its URL comes from, never the URL. */
export function describeNotification(spec: NotificationSpec): string {
  return `${spec.name} (${spec.type}, url from ${describeSecretSource(spec.urlFrom)}, events ${spec.events.join(', ')})`;
}
