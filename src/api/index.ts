// The hub's HTTP surface (SPEC §9): routes, token roles, audit, server-sent events, Git webhooks,
// metrics and probes, served from ports the reconcile loop implements.
export { createHubServer, type HubServer, type HubServerOptions, type BodyLimits } from './server.js';
export { hubRoutes, rolloutActions, type RouteSpec, type RolloutAction } from './routes.js';
export { describeCluster, type ClusterDetail, type ClusterDriftView, type ClusterObjectHealth, type FingerprintStatus } from './cluster-detail.js';
export { authorize, roles, type Access, type Decision, type Principal, type Role } from './roles.js';
export { TokenSource, parseTokens, matchToken, bearerToken, sha256Hex, type TokenAuthority, type TokenEntry, type TokenSourceOptions } from './tokens.js';
export { verifyGitWebhook, parseGitPush, isPushEvent, DeliveryLog, type GitWebhookHeaders, type WebhookVerdict } from './git-webhook.js';
export { HubEventLog, type EventRecorder, type EventLogErrors } from './event-log.js';
export { RecordedHubState, type HubStateRecorder } from './recorded-state.js';
export { createHubLogger, redactPaths, type LogFormat, type HubLoggerOptions } from './logger.js';
export type {
  AgentReport,
  AgentReportEvent,
  AgentTargetReport,
  AuditLog,
  ClusterSummary,
  ClusterView,
  DeadLetterLog,
  EventFeed,
  FleetView,
  GitPush,
  GitPushOutcome,
  HealthState,
  HubActions,
  HubState,
  MetricsSource,
  Readiness,
  ReleaseView,
  SyncAccepted,
  SyncRequest,
  SyncState,
  TargetView,
} from './ports.js';
export { HubRuntime, normalizeRepo, type HubRuntimeOptions } from './hub.js';
