import { Counter, Gauge } from 'prom-client';
import { HubMetrics, type HubMetricsOptions } from './hub-metrics.js';

// The metrics of a pull-mode agent: the same series as the hub's (SPEC §9) for the one cluster it
// reconciles, so dashboards and alerts work on either, plus how its reporting to the hub stands.

/** AgentReporterMetrics is the reporter's state as the metrics read it (the agent's ReporterStats fit it). */
export interface AgentReporterMetrics {
  buffered: number;
  capacity: number;
  droppedTotal: number;
  connected?: boolean;
  lastAcceptedAt?: number;
}

/** agentMetricNames lists the metrics an agent adds to the hub's. */
export const agentMetricNames = ['flotilla_agent_report_buffer_events', 'flotilla_agent_report_buffer_capacity', 'flotilla_agent_reports_dropped_total', 'flotilla_agent_hub_up', 'flotilla_agent_last_report_timestamp_seconds'] as const;

/** AgentMetrics is HubMetrics plus the agent's reporting gauges. */
export class AgentMetrics extends HubMetrics {
  private readonly buffered: Gauge;
  private readonly capacity: Gauge;
  private readonly dropped: Counter;
  private readonly hubUp: Gauge;
  private readonly lastReport: Gauge;
  private droppedSeen = 0;

  constructor(options: HubMetricsOptions = {}) {
    super(options);
    const registers = [this.registry];
    this.buffered = new Gauge({ name: 'flotilla_agent_report_buffer_events', help: 'Events waiting in the agent for the hub to accept them.', registers });
    this.capacity = new Gauge({ name: 'flotilla_agent_report_buffer_capacity', help: 'How many events the agent buffers before it drops the oldest.', registers });
    this.dropped = new Counter({ name: 'flotilla_agent_reports_dropped_total', help: 'Events dropped (oldest first) because the buffer was full or the hub refused them.', registers });
    this.hubUp = new Gauge({ name: 'flotilla_agent_hub_up', help: '1 when the hub accepted the last report, 0 when it did not.', registers });
    this.lastReport = new Gauge({ name: 'flotilla_agent_last_report_timestamp_seconds', help: 'When the hub last accepted a report (Unix time).', registers });
  }

  /** setReporter sets the reporting series from the reporter's state. */
  setReporter(stats: AgentReporterMetrics): void {
    this.buffered.set(stats.buffered);
    this.capacity.set(stats.capacity);
    if (stats.droppedTotal > this.droppedSeen) this.dropped.inc(stats.droppedTotal - this.droppedSeen);
    this.droppedSeen = Math.max(this.droppedSeen, stats.droppedTotal);
    if (stats.connected !== undefined) this.hubUp.set(stats.connected ? 1 : 0);
    if (stats.lastAcceptedAt !== undefined) this.lastReport.set(stats.lastAcceptedAt / 1000);
  }
}
