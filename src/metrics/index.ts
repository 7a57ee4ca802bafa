// Prometheus metrics of the hub (SPEC §9), fed by the event stream and status snapshots.
export { HubMetrics, metricNames, safeRepo, type HubMetricsOptions, type MetricsEvent, type MetricsRollout, type MetricsTargetStatus } from './hub-metrics.js';
export { AgentMetrics, agentMetricNames, type AgentReporterMetrics } from './agent-metrics.js';
