import type { RolloutCommand, RolloutState } from '../rollout/index.js';
import type { AuditInput, AuditQuery, AuditRecord, DeadLetter, EventQuery, HistoryEvent } from '../store/index.js';
import type { Principal } from './roles.js';

// What the HTTP surface reads and asks for. The hub's wiring implements these ports with the
// reconcile loop; tests implement them with RecordedHubState and small action recorders. The API
// never reaches into the loop itself.

/** SyncState is a target's sync state (SPEC §6). */
export type SyncState = 'Synced' | 'OutOfSync' | 'Progressing' | 'Drifted' | 'Blocked' | 'Failed' | 'Unreachable';

/** HealthState is a target's health (SPEC §6). */
export type HealthState = 'Healthy' | 'Progressing' | 'Degraded' | 'Unknown';

/** ReleaseView is a release of the fleet as the API shows it. */
export interface ReleaseView {
  name: string;
  /** How many targets (clusters) the release has. */
  targets: number;
  /** Whether the fleet has a rollout block that this release moves through. */
  rollout: boolean;
}

/** FleetView is the fleet as the hub last read it from Git. */
export interface FleetView {
  /** The fleet's metadata.name, once a fleet file was read. */
  name?: string;
  repo?: string;
  branch?: string;
  /** The commit last fetched. */
  revision?: string;
  /** When it was fetched (ms). */
  fetchedAt?: number;
  /** Why the last fetch or fleet load failed, when it did (the hub keeps the last good revision). */
  error?: { code: string; message: string };
  releases: ReleaseView[];
  clusters: number;
}

/** ClusterView is one cluster as the API shows it. */
export interface ClusterView {
  name: string;
  labels: Record<string, string>;
  /** `push`: the hub applies; `pull`: an agent applies and reports. */
  mode: 'push' | 'pull';
  /** Unknown until the hub (or the agent) has talked to it. */
  reachable?: boolean;
  message?: string;
  /** When the cluster last answered (ms); for pull clusters, the last agent report. */
  lastSeen?: number;
}

/** TargetView is one target's status. */
export interface TargetView {
  cluster: string;
  release: string;
  revision?: string;
  desiredRevision?: string;
  sync: SyncState;
  health: HealthState;
  drift: number;
  message: string;
  updatedAt: number;
}

/** ClusterSummary is a cluster with its targets counted by sync state. */
export interface ClusterSummary extends ClusterView {
  targets: number;
  sync: Partial<Record<SyncState, number>>;
}

/** Readiness says whether the hub serves real state yet (GET /readyz). */
export interface Readiness {
  ready: boolean;
  /** Why not, when it is not. */
  reason?: string;
}

/** HubState is what the read routes serve; the reconcile loop keeps it current. */
export interface HubState {
  fleet(): FleetView;
  clusters(): ClusterView[];
  targets(): TargetView[];
  rollouts(): RolloutState[];
  ready(): Readiness;
}

/** SyncRequest is the body of POST /api/v1/sync: which targets to sync now (all when empty). */
export interface SyncRequest {
  cluster?: string;
  release?: string;
  /** A label selector over clusters, kubectl syntax (`env=prod,region in (eu)`). */
  selector?: string;
}

/** SyncAccepted is the answer to a sync request: the targets queued. */
export interface SyncAccepted {
  targets: { cluster: string; release: string }[];
}

/** GitPush is a verified push event of a Git host. */
export interface GitPush {
  provider: 'github' | 'gitlab';
  deliveryId?: string;
  /** `refs/heads/main`, `refs/tags/v1`. */
  ref?: string;
  /** The branch name when the ref is a branch. */
  branch?: string;
  /** The commit the ref points to after the push. */
  after?: string;
  /** Every URL and name the host gives for the repository (clone, SSH, web, full name). */
  repository: string[];
}

/** GitPushOutcome says whether the push led to a fetch. */
export interface GitPushOutcome {
  triggered: boolean;
  /** Why not, when it did not (another repository or branch). */
  reason?: string;
}

/** AgentTargetReport is one target in an agent's report. */
export interface AgentTargetReport {
  release: string;
  revision?: string;
  sync: SyncState;
  health: HealthState;
  drift?: number;
  message?: string;
}

/** AgentReportEvent is one event of an agent's cluster, with its sequence number in that agent. */
export interface AgentReportEvent {
  type: string;
  time: number;
  /** Increasing within one agent process (agentId): a retried report is deduplicated on it. */
  seq: number;
  release?: string;
  object?: string;
  message?: string;
  [field: string]: unknown;
}

/** AgentReport is the body of POST /api/v1/agents/:cluster/report. */
export interface AgentReport {
  /** A random id of the agent process: sequence numbers compare only within one. */
  agentId?: string;
  /** The revision the agent last fetched. */
  revision?: string;
  targets: AgentTargetReport[];
  /** The events since the last accepted report, oldest first. */
  events?: AgentReportEvent[];
  /** Events the agent had to drop while the hub was out of reach. */
  dropped?: number;
  /** The agent's version, for the cluster view. */
  agentVersion?: string;
}

/**
 * HubActions are the writes the API asks the hub to do. Each throws a FlotillaError for an
 * expected refusal (API_NOT_FOUND for an unknown cluster or rollout, USAGE for a bad selector);
 * the API answers it with the code's HTTP status.
 */
export interface HubActions {
  requestSync(request: SyncRequest, actor: Principal): Promise<SyncAccepted>;
  rolloutAction(release: string, command: RolloutCommand, actor: Principal): Promise<RolloutState>;
  gitPush(push: GitPush): Promise<GitPushOutcome>;
  agentReport(cluster: string, report: AgentReport, actor: Principal): Promise<void>;
}

/** EventFeed is the event history and its live stream (HubEventLog fits it). */
export interface EventFeed {
  list(query: EventQuery): HistoryEvent[];
  subscribe(listener: (event: HistoryEvent) => void): () => void;
}

/** AuditLog is where writes are recorded (the history store fits it). */
export interface AuditLog {
  appendAudit(record: AuditInput): AuditRecord;
  listAudit(query: AuditQuery): AuditRecord[];
}

/** DeadLetterLog lists the notifications' dead letters (the history store fits it). */
export interface DeadLetterLog {
  listDeadLetters(query: { notification?: string; limit?: number }): DeadLetter[];
}

/** MetricsSource answers a Prometheus scrape (HubMetrics fits it). */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}
