import type { Access } from './roles.js';

// The route table of SPEC §9. It is the one place that says which role each route needs and
// whether it is a write (audited); the server registers from it and a test walks it route by role.

/** RouteSpec is one route of the hub's HTTP surface. */
export interface RouteSpec {
  method: 'GET' | 'POST';
  /** Fastify's syntax: `:name` is a path parameter. */
  url: string;
  access: Access;
  /**
   * Writes are recorded in the audit log, allowed or denied. `refusals`: only when denied or failed
   * (agent reports, which arrive every few seconds from every agent and would push people's actions
   * out of the log; an accepted one shows as the cluster's last-seen time and its events).
   */
  audit: boolean | 'refusals';
  /** What the route does, for docs/hub.md. */
  summary: string;
}

/** rolloutActions are the rollout commands of POST /api/v1/rollouts/:release/ACTION. */
export const rolloutActions = ['approve', 'pause', 'resume', 'abort'] as const;

/** RolloutAction is one of rolloutActions. */
export type RolloutAction = (typeof rolloutActions)[number];

/** hubRoutes is every route of the hub with the role it needs. */
export const hubRoutes: readonly RouteSpec[] = [
  { method: 'GET', url: '/api/v1/fleet', access: 'viewer', audit: false, summary: 'the fleet: repository, revision, releases, last fetch error' },
  { method: 'GET', url: '/api/v1/whoami', access: 'viewer', audit: false, summary: "the token's name and role (the dashboard shows write controls by role)" },
  { method: 'GET', url: '/api/v1/clusters', access: 'viewer', audit: false, summary: 'every cluster with its labels, reachability and targets counted by sync state' },
  { method: 'GET', url: '/api/v1/clusters/:name', access: 'viewer', audit: false, summary: 'one cluster and its targets' },
  { method: 'GET', url: '/api/v1/targets', access: 'viewer', audit: false, summary: 'every target (?cluster=, ?release=, ?sync=)' },
  { method: 'GET', url: '/api/v1/plan', access: 'viewer', audit: false, summary: "the newest fetched revision against what each cluster runs, as plan --output json prints it ({plan}, or {plan: null, reason})" },
  { method: 'GET', url: '/api/v1/rollouts', access: 'viewer', audit: false, summary: 'every rollout state' },
  { method: 'GET', url: '/api/v1/rollouts/:release', access: 'viewer', audit: false, summary: "one release's rollout state" },
  { method: 'GET', url: '/api/v1/events', access: 'viewer', audit: false, summary: 'the event history (?after=, ?limit=, ?cluster=, ?release=, ?type=); server-sent events with Accept: text/event-stream' },
  { method: 'GET', url: '/api/v1/dead-letters', access: 'viewer', audit: false, summary: 'notifications that could not be delivered (?notification=, ?limit=)' },
  { method: 'GET', url: '/api/v1/audit', access: 'admin', audit: false, summary: 'who did what, allowed or denied (?after=, ?limit=, ?actor=, ?outcome=)' },
  { method: 'POST', url: '/api/v1/sync', access: 'operator', audit: true, summary: 'sync now: {cluster?, release?, selector?}; all targets when empty' },
  ...rolloutActions.map((action): RouteSpec => ({ method: 'POST', url: `/api/v1/rollouts/:release/${action}`, access: 'operator', audit: true, summary: `${action} the release's rollout${action === 'approve' ? ' ({wave?})' : ''}` })),
  { method: 'POST', url: '/hooks/git', access: 'signature', audit: true, summary: 'GitHub / GitLab push webhook: fetch now (X-Hub-Signature-256 or X-Gitlab-Token)' },
  { method: 'POST', url: '/api/v1/agents/:cluster/report', access: 'agent', audit: 'refusals', summary: "an agent's status report for its cluster" },
  { method: 'GET', url: '/metrics', access: 'none', audit: false, summary: 'Prometheus metrics' },
  { method: 'GET', url: '/healthz', access: 'none', audit: false, summary: 'the process serves (liveness)' },
  { method: 'GET', url: '/readyz', access: 'none', audit: false, summary: 'the hub has its state: store open, first fetch done (readiness)' },
];
