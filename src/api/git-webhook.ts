import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { GitPush } from './ports.js';

// POST /hooks/git: GitHub (and Gitea/Forgejo, which send the same header) sign the raw body with
// HMAC-SHA256 in X-Hub-Signature-256; GitLab sends the shared secret itself in X-Gitlab-Token.
// Both are compared in constant time over SHA-256 digests (equal lengths whatever was sent).
// The signature covers the body, so it is checked before the body is trusted or parsed.

/** GitWebhookHeaders are the request headers a verification reads (lower-case names). */
export type GitWebhookHeaders = Record<string, string | string[] | undefined>;

/** WebhookVerdict is the outcome of checking a webhook's signature or token. */
export type WebhookVerdict =
  | { ok: true; provider: 'github' | 'gitlab'; event: string; deliveryId?: string }
  | { ok: false; provider?: 'github' | 'gitlab'; deliveryId?: string; reason: string };

function header(headers: GitWebhookHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** verifyGitWebhook checks a push webhook against the hub's secret; it never reads the body's content. */
export function verifyGitWebhook(headers: GitWebhookHeaders, rawBody: Buffer, secret: string | undefined): WebhookVerdict {
  const signature = header(headers, 'x-hub-signature-256');
  const gitlabToken = header(headers, 'x-gitlab-token');
  if (signature !== undefined) {
    const deliveryId = header(headers, 'x-github-delivery') ?? header(headers, 'x-gitea-delivery');
    if (!secret) return { ok: false, provider: 'github', deliveryId, reason: 'the hub has no webhook secret (--webhook-secret-file or FLOTILLA_WEBHOOK_SECRET)' };
    const expected = `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
    if (!sameSecret(expected, signature.trim().toLowerCase())) return { ok: false, provider: 'github', deliveryId, reason: 'the X-Hub-Signature-256 signature does not match the body' };
    return { ok: true, provider: 'github', event: header(headers, 'x-github-event') ?? header(headers, 'x-gitea-event') ?? 'push', deliveryId };
  }
  if (gitlabToken !== undefined) {
    const deliveryId = header(headers, 'x-gitlab-event-uuid');
    if (!secret) return { ok: false, provider: 'gitlab', deliveryId, reason: 'the hub has no webhook secret (--webhook-secret-file or FLOTILLA_WEBHOOK_SECRET)' };
    if (!sameSecret(secret, gitlabToken)) return { ok: false, provider: 'gitlab', deliveryId, reason: 'the X-Gitlab-Token does not match' };
    return { ok: true, provider: 'gitlab', event: header(headers, 'x-gitlab-event') ?? 'Push Hook', deliveryId };
  }
  return { ok: false, reason: 'neither X-Hub-Signature-256 (GitHub) nor X-Gitlab-Token (GitLab) was sent' };
}

/** isPushEvent tells push events (GitHub `push`, GitLab `Push Hook` / `Tag Push Hook`) from the rest. */
export function isPushEvent(provider: 'github' | 'gitlab', event: string): boolean {
  return provider === 'github' ? event === 'push' : event === 'Push Hook' || event === 'Tag Push Hook';
}

const strings = (...values: unknown[]) => values.filter((v): v is string => typeof v === 'string' && v !== '');

/** parseGitPush reads the facts of a verified push payload of either host. */
export function parseGitPush(provider: 'github' | 'gitlab', body: unknown, deliveryId: string | undefined): GitPush {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const repo = (typeof b.repository === 'object' && b.repository !== null ? b.repository : {}) as Record<string, unknown>;
  const project = (typeof b.project === 'object' && b.project !== null ? b.project : {}) as Record<string, unknown>;
  const ref = typeof b.ref === 'string' ? b.ref : undefined;
  const after = typeof b.after === 'string' ? b.after : typeof b.checkout_sha === 'string' ? b.checkout_sha : undefined;
  const repository =
    provider === 'github'
      ? strings(repo.clone_url, repo.ssh_url, repo.git_url, repo.html_url, repo.url, repo.full_name)
      : strings(project.git_http_url, project.git_ssh_url, project.web_url, project.path_with_namespace, repo.git_http_url, repo.git_ssh_url, repo.homepage);
  return {
    provider,
    ...(deliveryId ? { deliveryId } : {}),
    ...(ref ? { ref } : {}),
    ...(ref?.startsWith('refs/heads/') ? { branch: ref.slice('refs/heads/'.length) } : {}),
    ...(after ? { after } : {}),
    repository: [...new Set(repository)],
  };
}

/**
 * DeliveryLog remembers the delivery ids of verified webhooks for a while, so that a captured
 * request sent again is refused. Only verified deliveries are remembered: a forger cannot fill it.
 */
export class DeliveryLog {
  private readonly seen = new Map<string, number>();
  private readonly ttlMs: number;
  private readonly max: number;

  constructor(options: { ttlMs?: number; max?: number } = {}) {
    this.ttlMs = options.ttlMs ?? 24 * 3600 * 1000;
    this.max = options.max ?? 10_000;
  }

  /** remember answers false when the id was already seen within the window, else records it. */
  remember(id: string, now: number): boolean {
    for (const [old, at] of this.seen) {
      if (now - at < this.ttlMs && this.seen.size < this.max) break;
      this.seen.delete(old);
    }
    const at = this.seen.get(id);
    if (at !== undefined && now - at < this.ttlMs) return false;
    this.seen.delete(id);
    this.seen.set(id, now);
    return true;
  }
}
