import { spawnSync } from 'node:child_process';
import { FlotillaError, fail, ok, type Result } from '../../core/index.js';

/** SyncFetchOptions bound one download. */
export interface SyncFetchOptions {
  /** @default 60000 */
  timeoutMs?: number;
  /** @default 256 MiB */
  maxBytes?: number;
}

/** SyncFetch downloads one URL and returns its body; failures are HELM_REPO_UNAVAILABLE issues. */
export type SyncFetch = (url: string, options?: SyncFetchOptions) => Result<Buffer>;

// The child prints the body on stdout and, on failure, one line on stderr with exit status 2.
const script = `
const [url, max, timeout] = process.argv.slice(1);
try {
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(Number(timeout)) });
  if (!res.ok) { process.stderr.write('HTTP ' + res.status + (res.statusText ? ' ' + res.statusText : '')); process.exitCode = 2; }
  else {
    const chunks = []; let size = 0;
    for await (const chunk of res.body) {
      size += chunk.length;
      if (size > Number(max)) { process.stderr.write('the response is larger than ' + max + ' bytes'); process.exitCode = 2; break; }
      chunks.push(chunk);
    }
    if (!process.exitCode) process.stdout.write(Buffer.concat(chunks));
  }
} catch (error) {
  const cause = error && error.cause && error.cause.message;
  process.stderr.write(error && error.name === 'TimeoutError' ? 'no answer within ' + timeout + ' ms' : cause ? error.message + ': ' + cause : String(error && error.message || error));
  process.exitCode = 2;
}
`;

/**
 * fetchSync downloads a URL synchronously, because a render is synchronous from end to end: it
 * runs Node's own fetch in a short-lived child process (the same node binary) with a timeout and
 * a size cap. Only chart repositories named in the fleet file are fetched this way, and archives
 * are cached by digest, so a render downloads each index.yaml once and each chart once.
 */
export const fetchSync: SyncFetch = (url, options = {}) => {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, url, String(maxBytes), String(timeoutMs)], {
    timeout: timeoutMs + 5_000,
    maxBuffer: maxBytes + 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.error || child.status !== 0) {
    const why = child.error ? child.error.message : child.stderr.toString('utf8').trim().split('\n').slice(-1)[0] || `exit status ${child.status}`;
    return fail(new FlotillaError('HELM_REPO_UNAVAILABLE', `${redact(url)}: ${why}`, { retryable: true }));
  }
  return ok(child.stdout);
};

/** redact hides the password of a URL with credentials before it is printed. */
export function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:***@');
}
