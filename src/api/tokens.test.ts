import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlotillaError } from '../core/index.js';
import { bearerToken, matchToken, parseTokens, sha256Hex, TokenSource } from './tokens.js';

test('a tokens file lists {name, role, token} or {name, role, sha256}; only hashes are kept', () => {
  const entries = parseTokens(
    ['- name: ci', '  role: operator', '  token: "plain-token-value"', `- {name: ro, role: viewer, sha256: "${sha256Hex('hashed-token').toUpperCase()}"}`, '- {name: edge, role: agent, cluster: edge-1, token: agent-token}'].join('\n'),
    'tokens.yaml',
  );
  assert.deepEqual(entries.map((e) => [e.name, e.role, e.cluster, e.hash.toString('hex')]), [
    ['ci', 'operator', undefined, sha256Hex('plain-token-value')],
    ['ro', 'viewer', undefined, sha256Hex('hashed-token')],
    ['edge', 'agent', 'edge-1', sha256Hex('agent-token')],
  ]);
  assert.ok(!JSON.stringify(entries).includes('plain-token-value'));
  assert.equal(matchToken(entries, 'hashed-token')?.name, 'ro');
  assert.equal(matchToken(entries, 'hashed-token ')?.name, undefined);
  assert.deepEqual(parseTokens('', 'empty.yaml'), []);
});

test('every mistake in the tokens file names the entry and the field, never the token', () => {
  const cases: [string, RegExp][] = [
    ['{name: a}', /\(root\): the file must hold one YAML list/],
    ['- {name: a, role: root, token: t1}', /\[0\] \(a\)\.role: the role must be one of viewer, operator, admin, agent/],
    ['- {name: a, role: viewer}', /\[0\] \(a\): give exactly one of token and sha256/],
    ['- {name: a, role: viewer, token: t1, sha256: ab}', /exactly one of token and sha256/],
    ['- {name: a, role: viewer, sha256: abc}', /sha256 must be the 64 hex digits/],
    ['- {name: a, role: viewer, token: 12345}', /\.token: the token must be a non-empty string \(quote it/],
    ['- {role: viewer, token: t1}', /\[0\]\.name: a name is required/],
    ['- {name: a, role: agent, token: t1}', /\.cluster: an agent token needs the cluster/],
    ['- {name: a, role: admin, cluster: x, token: t1}', /only agent tokens have a cluster/],
    ['- {name: a, role: admin, token: t1, tokn: x}', /\[0\]\.tokn: unknown field/],
    ['- {name: a, role: admin, token: t1}\n- {name: a, role: viewer, token: t2}', /\[1\] \(a\)\.name: two entries have this name/],
    ['- {name: a, role: admin, token: dup-tok-xyz}\n- {name: b, role: viewer, token: dup-tok-xyz}', /\[1\] \(b\): two entries have the same token/],
    ['- {name: a, role: admin, token: "unclosed-secret-value\n', /tokens\.yaml: the YAML does not parse/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseTokens(text, 'tokens.yaml'),
      (e: unknown) => e instanceof FlotillaError && e.code === 'HUB_TOKENS_INVALID' && message.test(e.message) && !/secret-value|dup-tok|t1/.test(e.message.replace('tokens.yaml', '')),
      text,
    );
  }
});

test('only "Bearer TOKEN" is read; tokens can come from the env text instead of a file', () => {
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('bearer   abc '), 'abc');
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(bearerToken('Bearer a b'), undefined);
  assert.equal(bearerToken(undefined), undefined);
  const source = TokenSource.open({ text: '[{name: env-admin, role: admin, token: from-env}]' });
  assert.deepEqual(source.authenticate('Bearer from-env'), { name: 'env-admin', role: 'admin' });
  assert.equal(source.authenticate('Bearer other'), undefined);
  assert.throws(() => TokenSource.open({ file: '/nonexistent/tokens.yaml' }), (e: unknown) => e instanceof FlotillaError && e.code === 'HUB_TOKENS_INVALID' && /cannot be read: ENOENT/.test(e.message));
});
