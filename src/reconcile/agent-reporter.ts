import type { HealthStatus } from '../health/index.js';
import { ReportBuffer } from './agent-buffer.js';
import type { ReconcileEvent, SyncState } from './events.js';
import type { Clock } from './ports.js';
import { backoffStep } from './reconciler.js';

// How an agent tells its hub what happened (SPEC §1, §9): one POST per report with the latest
// status of every target (only the newest matters, so it is never queued) and the events since the
// last accepted report (every one matters: they are the hub's history of a cluster it does not
// reconcile). Events wait in a bounded ring while the hub is down or refuses; reports go out in
// order, one at a time, with exponential backoff and jitter between failed attempts, and a
// heartbeat keeps the hub's "last seen" fresh when nothing happens. Delivery is at least once:
// every event carries its sequence number and the agent's id, so a hub can skip what a retry
// after a lost answer sends twice.

/** AgentTargetStatus is one target of an agent's cluster as reported to the hub. */
export interface AgentTargetStatus {
  release: string;
  /** The revision the cluster has for this release. */
  revision?: string;
  sync: SyncState;
  health: HealthStatus;
  /** Objects drifted now. */
  drift: number;
  message: string;
}

/** AgentReportEvent is a reconcile event with its sequence number in this agent's buffer. */
export type AgentReportEvent = ReconcileEvent & { seq: number };

/** AgentReportBody is the body of POST /api/v1/agents/:cluster/report as the agent sends it. */
export interface AgentReportBody {
  /** A random id of this agent process: sequence numbers are only comparable within one. */
  agentId: string;
  agentVersion?: string;
  /** The revision the agent last fetched and rendered. */
  revision?: string;
  targets: AgentTargetStatus[];
  /** Oldest first. */
  events: AgentReportEvent[];
  /** Events the buffer dropped (oldest first) since the last accepted report. */
  dropped: number;
}

/**
 * ReportOutcome is what became of one report: `accepted`; `retry` (no answer, the hub is busy, not
 * ready, or refuses the token: send the same again later); `rejected` (the hub says the report is
 * invalid: sending it again cannot help, its events are dropped and counted); `tooLarge` (send
 * fewer events at a time).
 */
export type ReportOutcome =
  | { kind: 'accepted' }
  | { kind: 'retry'; status?: number; message: string }
  | { kind: 'rejected'; status: number; message: string }
  | { kind: 'tooLarge'; message: string };

/** ReportTransport sends one report and says what became of it; it never throws. */
export type ReportTransport = (body: AgentReportBody) => Promise<ReportOutcome>;

/** AgentReporterOptions configure the reporter; transport, clock and agentId are required. */
export interface AgentReporterOptions {
  transport: ReportTransport;
  clock: Clock;
  agentId: string;
  agentVersion?: string;
  /** @default Math.random */
  random?: () => number;
  /** Events kept while the hub cannot be told. @default 10000 */
  capacity?: number;
  /** Events per report. @default 500 */
  batchSize?: number;
  /** Backoff between failed reports. @default 1 s doubling up to 60 s */
  backoff?: { baseMs: number; maxMs: number };
  /** A report is sent at least this often, changed or not. @default 30000 */
  heartbeatMs?: number;
  /** After an event, wait this long for the rest of its burst before sending. @default 200 */
  debounceMs?: number;
  /** Told about every report sent (logs, metrics). */
  onOutcome?: (outcome: ReportOutcome, sent: { events: number; dropped: number }) => void;
}

/** ReporterStats say where the reporter stands (metrics, /healthz). */
export interface ReporterStats {
  /** Events waiting. */
  buffered: number;
  capacity: number;
  /** Events dropped since the start. */
  droppedTotal: number;
  /** Whether the last report was accepted (undefined before the first). */
  connected?: boolean;
  /** Consecutive failed reports. */
  failures: number;
  lastAcceptedAt?: number;
  lastError?: string;
}

/** SendResult is what one sendOnce did. */
export type SendResult = 'idle' | 'accepted' | 'failed';

/** AgentReporter buffers and sends the reports of one agent (see above). */
export class AgentReporter {
  private readonly options: AgentReporterOptions;
  private readonly buffer: ReportBuffer<ReconcileEvent>;
  private readonly random: () => number;
  private batchSize: number;
  private revision?: string;
  private targets: AgentTargetStatus[] = [];
  /** Bumped at each status change; a report clears `statusDirty` only if nothing changed while it was in flight. */
  private statusVersion = 0;
  private statusSent = -1;
  private failures = 0;
  private connected?: boolean;
  private lastAcceptedAt?: number;
  private lastError?: string;
  private nextRetryMs = 0;
  private running = false;
  private wake = new AbortController();
  private readonly stopper = new AbortController();
  private loopDone?: Promise<void>;
  private sending?: Promise<SendResult>;

  constructor(options: AgentReporterOptions) {
    this.options = options;
    this.buffer = new ReportBuffer(options.capacity ?? 10_000);
    this.random = options.random ?? Math.random;
    this.batchSize = Math.max(1, options.batchSize ?? 500);
  }

  /** record queues an event for the hub (the oldest is dropped when the buffer is full). */
  record(event: ReconcileEvent): void {
    this.buffer.push(event);
    this.poke();
  }

  /** setStatus replaces the status reported for every target. */
  setStatus(revision: string | undefined, targets: readonly AgentTargetStatus[]): void {
    const changed = revision !== this.revision || JSON.stringify(targets) !== JSON.stringify(this.targets);
    this.revision = revision;
    this.targets = [...targets];
    if (changed) {
      this.statusVersion++;
      this.poke();
    }
  }

  /** stats says where the reporter stands. */
  stats(): ReporterStats {
    return {
      buffered: this.buffer.size,
      capacity: this.buffer.capacity,
      droppedTotal: this.buffer.droppedTotal,
      failures: this.failures,
      ...(this.connected !== undefined ? { connected: this.connected } : {}),
      ...(this.lastAcceptedAt !== undefined ? { lastAcceptedAt: this.lastAcceptedAt } : {}),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  /** pending tells whether anything waits to be reported: events, drops or a changed status. */
  pending(): boolean {
    return this.buffer.size > 0 || this.buffer.dropped > 0 || this.statusSent !== this.statusVersion;
  }

  /** retryDelayMs is the wait before the next attempt after the latest failure. */
  get retryDelayMs(): number {
    return this.nextRetryMs;
  }

  /**
   * sendOnce sends one report when one is due (something pending, or the heartbeat), and answers
   * what happened. Calls never overlap: a second call waits for the report in flight.
   */
  sendOnce(): Promise<SendResult> {
    this.sending ??= this.send().finally(() => (this.sending = undefined));
    return this.sending;
  }

  private async send(): Promise<SendResult> {
    const now = this.options.clock.now();
    const heartbeatDue = this.lastAcceptedAt === undefined || now - this.lastAcceptedAt >= (this.options.heartbeatMs ?? 30_000);
    if (!this.pending() && !heartbeatDue) return 'idle';
    const batch = this.buffer.peek(this.batchSize);
    const version = this.statusVersion;
    const body: AgentReportBody = {
      agentId: this.options.agentId,
      ...(this.options.agentVersion !== undefined ? { agentVersion: this.options.agentVersion } : {}),
      ...(this.revision !== undefined ? { revision: this.revision } : {}),
      targets: this.targets,
      events: batch.map((e) => ({ ...e.item, seq: e.seq })),
      dropped: this.buffer.dropped,
    };
    const outcome = await this.options.transport(body);
    const result = this.settle(outcome, batch.length, batch.at(-1)?.seq, body.dropped, version);
    this.options.onOutcome?.(outcome, { events: batch.length, dropped: body.dropped });
    return result;
  }

  /** settle updates the buffer and the reporter's state after an answer. */
  private settle(outcome: ReportOutcome, events: number, last: number | undefined, dropped: number, version: number): SendResult {
    switch (outcome.kind) {
      case 'accepted':
        if (last !== undefined) this.buffer.acknowledge(last);
        this.buffer.acknowledgeDropped(dropped);
        this.statusSent = version;
        this.failures = 0;
        this.connected = true;
        this.lastError = undefined;
        this.lastAcceptedAt = this.options.clock.now();
        return 'accepted';
      case 'tooLarge':
        if (events > 1) {
          // Fewer events per report from now on; the same events go again at once.
          this.batchSize = Math.max(1, Math.floor(events / 2));
          this.lastError = outcome.message;
          this.nextRetryMs = 0;
          return 'failed';
        }
        // One event alone is too large: it can never be delivered.
        if (last !== undefined) this.buffer.discard(last);
        return this.failed(outcome.message);
      case 'rejected':
        if (last !== undefined) this.buffer.discard(last);
        return this.failed(`${outcome.status}: ${outcome.message}`);
      case 'retry':
        return this.failed(outcome.status !== undefined ? `${outcome.status}: ${outcome.message}` : outcome.message);
    }
  }

  private failed(message: string): SendResult {
    this.failures++;
    this.connected = false;
    this.lastError = message;
    this.nextRetryMs = backoffStep(this.failures, this.options.backoff ?? { baseMs: 1000, maxMs: 60_000 }, this.random);
    return 'failed';
  }

  /** start sends reports until stop(): at once when something happens, every heartbeat otherwise, with backoff after failures. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /**
   * stop ends the loop. With `flush`, one last report is tried when the hub was answering, so
   * a clean shutdown tells the hub what happened last.
   */
  async stop(options: { flush?: boolean } = {}): Promise<void> {
    this.running = false;
    this.wake.abort();
    this.stopper.abort();
    await this.loopDone;
    await this.sending;
    if (options.flush && this.failures === 0 && this.pending()) await this.sendOnce();
  }

  private poke(): void {
    // While failing, the backoff decides when to try again; new events just wait in the buffer.
    if (this.failures > 0) return;
    this.wake.abort();
  }

  private async loop(): Promise<void> {
    const { clock } = this.options;
    while (this.running) {
      // A fresh wake-up signal before the send: an event recorded while it runs ends the next wait.
      const signal = (this.wake = new AbortController()).signal;
      const result = await this.sendOnce();
      if (!this.running) break;
      if (result === 'accepted' && this.pending()) continue;
      if (result === 'failed') {
        // Only stop() cuts a backoff short.
        if (this.nextRetryMs > 0) await clock.sleep(this.nextRetryMs, this.stopper.signal);
        continue;
      }
      await clock.sleep(Math.max(1, (this.lastAcceptedAt ?? clock.now()) + (this.options.heartbeatMs ?? 30_000) - clock.now()), signal);
      // Woken by an event: give the rest of its burst a moment to arrive, then send them together.
      if (signal.aborted && this.running) await clock.sleep(this.options.debounceMs ?? 200, this.stopper.signal);
    }
  }
}
