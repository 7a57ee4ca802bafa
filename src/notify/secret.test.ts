import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlotillaError } from '../core/index.js';
import { redactSecrets, redactUrl } from './redact.js';
import { resolveSecret, resolveUrl } from './secret.js';

const where = { notification: 'slack', field: 'urlFrom' };

test('a secret comes from exactly one of env and file; a file loses its trailing newline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-secret-'));
  writeFileSync(join(dir, 'url'), 'https://hooks.slack.com/services/T/B/C\n');
  assert.equal(resolveSecret({ file: join(dir, 'url') }, where), 'https://hooks.slack.com/services/T/B/C');
  assert.equal(resolveSecret({ env: 'X' }, where, { env: { X: ' v ' } }), 'v');
  const fails = (source: object, env: Record<string, string>, message: RegExp) =>
    assert.throws(() => resolveSecret(source, where, { env }), (e: unknown) => e instanceof FlotillaError && e.code === 'NOTIFY_SECRET_UNAVAILABLE' && message.test(e.message));
  fails({}, {}, /slack: urlFrom: give exactly one of env and file/);
  fails({ env: 'X', file: '/f' }, { X: 'v' }, /exactly one/);
  fails({ env: 'X' }, {}, /the environment variable X is not set on the hub/);
  fails({ file: join(dir, 'nope') }, {}, /the file .*nope cannot be read \(ENOENT\)/);
  writeFileSync(join(dir, 'empty'), '\n');
  fails({ file: join(dir, 'empty') }, {}, /is empty/);
});

test('a URL secret must be http(s), and the message never shows the value', () => {
  assert.equal(resolveUrl({ env: 'U' }, where, { env: { U: 'https://example.test/a?b=c' } }).href, 'https://example.test/a?b=c');
  assert.throws(
    () => resolveUrl({ env: 'U' }, where, { env: { U: 'xoxb-secret-token' } }),
    (e: unknown) => e instanceof FlotillaError && e.message === 'notification slack: urlFrom: env U does not hold an http(s) URL',
  );
});

test('redaction keeps scheme, host and port only', () => {
  const url = new URL('https://user:pw@hooks.slack.com:8443/services/T/B/SECRET?x=1');
  assert.equal(redactUrl(url), 'https://hooks.slack.com:8443/…');
  assert.equal(redactUrl('not a url'), '[redacted URL]');
  assert.equal(
    redactSecrets(`POST ${url.href} failed; path /services/T/B/SECRET?x=1; pw; token hmac-key`, url, ['hmac-key']),
    'POST https://hooks.slack.com:8443/… failed; path https://hooks.slack.com:8443/…; [redacted]; token [redacted]',
  );
});
