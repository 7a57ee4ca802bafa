// The reconcile layer: syncs targets, runs fleets with per-cluster isolation, watches for drift,
// and reports everything as typed events.
export type { ClusterPort, ClusterConnector, Clock, LiveRef, PortApplyResult, PortAppliedObject, PortPruneResult, PortWaitResult, PortWatchHandler, PortRequestStats } from './ports.js';
export { syncStates, safeSink, type SyncState, type ReconcileEvent, type EventSink, type SyncSucceededEvent, type SyncFailedEvent, type GuardBlockedEvent, type DriftDetectedEvent, type DriftCorrectedEvent, type DriftResolvedEvent, type ClusterUnreachableEvent, type ClusterReachableEvent, type RolloutEventBase, type RolloutStartedEvent, type RolledBackEvent, type RolloutStepEvent, type RolloutDriverEvent } from './events.js';
export { prepareDesired, contentHash, type DesiredObjects } from './desired.js';
export { syncTarget, aggregateHealth, liveRefOf, type TargetSyncInput, type TargetSyncOptions, type TargetSyncResult } from './sync-target.js';
export { syncFleet, syncCluster, runLimited, notSynced, type SyncFleetInput, type SyncFleetOptions, type FleetSyncResult, type ClusterSyncResult, type ClusterSyncState, type SyncProgress, type TargetInput } from './sync-fleet.js';
export { diffTarget, type TargetDiff, type TargetDiffState, type ObjectDrift, type ObjectDriftState } from './diff.js';
export { clusterStatus, type TargetStatus } from './status.js';
export { DriftMonitor, pinTargets, type PinnedTarget, type ObjectDriftReport, type DriftMonitorOptions } from './drift-monitor.js';
export { Reconciler, backoffStep, type ReconcilerOptions, type DesiredFleet, type ClusterLoopState } from './reconciler.js';
export { openFleetSource, type FleetSourceOptions } from './fleet-source.js';
export { Agent, type AgentOptions, type AgentStatus, type AgentLog } from './agent.js';
export { AgentReporter, type AgentReporterOptions, type AgentReportBody, type AgentReportEvent, type AgentTargetStatus, type ReportOutcome, type ReportTransport, type ReporterStats, type SendResult } from './agent-reporter.js';
export { ReportBuffer, type BufferedEntry } from './agent-buffer.js';
export { hubReportTransport, classifyReportAnswer, reportUrl, type HubReportTransportOptions } from './agent-hub-client.js';
export { startAgentEndpoint, type AgentEndpoint, type AgentEndpointSource } from './agent-http.js';
export { RolloutDriver, pinsFrom, type RolloutDriverOptions, type RolloutDesired, type RolloutTargetPin, type RolloutCommandType } from './rollout-driver.js';
export { MemoryRolloutStore, JsonFileRolloutStore, type RolloutStore, type RolloutRecord, type TargetPin, type PinnedContent } from './rollout-store.js';
