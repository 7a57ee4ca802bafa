// Who may do what (SPEC §9): bearer tokens map to roles; viewer < operator < admin for the API,
// and an agent token may only report for its own cluster.

/** Role is a token's role. */
export type Role = 'viewer' | 'operator' | 'admin' | 'agent';

/** roles lists every role. */
export const roles: readonly Role[] = ['viewer', 'operator', 'admin', 'agent'];

/**
 * Access is what a route asks for: `none` (health, metrics), a role, `agent` (an agent token of
 * the cluster in the path, or admin) or `signature` (a Git webhook's HMAC signature or token).
 */
export type Access = 'none' | 'viewer' | 'operator' | 'admin' | 'agent' | 'signature';

/** Principal is who a request acts as: the token's name, role and (agents) cluster. */
export interface Principal {
  name: string;
  role: Role;
  cluster?: string;
}

const rank: Record<Role, number> = { viewer: 1, operator: 2, admin: 3, agent: 0 };

/** Decision is the verdict on a request: allowed, no (or an unknown) token, or a role too low. */
export type Decision = { allowed: true } | { allowed: false; status: 401 | 403; reason: string };

/**
 * authorize decides whether a principal may use a route. `signature` routes are checked by their
 * handler (the signature covers the body), so they pass here.
 */
export function authorize(access: Access, principal: Principal | undefined, params: { cluster?: string } = {}): Decision {
  if (access === 'none' || access === 'signature') return { allowed: true };
  if (!principal) return { allowed: false, status: 401, reason: 'a bearer token is required' };
  if (access === 'agent') {
    if (principal.role === 'admin') return { allowed: true };
    if (principal.role !== 'agent') return { allowed: false, status: 403, reason: `role ${principal.role} may not report agent status (an agent token or admin may)` };
    if (principal.cluster !== params.cluster) return { allowed: false, status: 403, reason: `agent token ${principal.name} reports for cluster ${principal.cluster ?? '?'}, not ${params.cluster ?? '?'}` };
    return { allowed: true };
  }
  if (principal.role === 'agent') return { allowed: false, status: 403, reason: `agent token ${principal.name} may only report its cluster's status` };
  if (rank[principal.role] >= rank[access]) return { allowed: true };
  return { allowed: false, status: 403, reason: `role ${principal.role} may not do this; it needs ${access}` };
}
