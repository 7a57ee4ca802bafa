// A notification URL is a secret (a Slack incoming-webhook URL is its own credential), so logs,
// errors and dead letters show only its scheme, host and port.

/** redactUrl shows a URL as `https://hooks.slack.com/…`: no user info, path, query or fragment. */
export function redactUrl(url: URL | string): string {
  try {
    const u = typeof url === 'string' ? new URL(url) : url;
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '[redacted URL]';
  }
}

/** redactSecrets replaces every occurrence of the URL (and its path) and of the secrets in a text. */
export function redactSecrets(text: string, url: URL | undefined, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  if (url) {
    const safe = redactUrl(url);
    for (const form of [url.href, url.href.replace(/\/$/, ''), `${url.pathname}${url.search}`]) {
      if (form.length > 1) out = out.split(form).join(safe);
    }
    if (url.password) out = out.split(url.password).join('[redacted]');
  }
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}
