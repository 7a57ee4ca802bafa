import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandTemplate, parseTemplate } from './template.js';

const ctx = { cluster: { name: 'prod-eu', labels: { env: 'production', 'topology.kubernetes.io/region': 'eu-west-1' }, identity: { REGION: 'eu-west-1' } }, release: { name: 'web' } };

test('every template key expands, with or without spaces inside the braces', () => {
  assert.deepEqual(expandTemplate('{{cluster.name}}/{{ release.name }}/{{cluster.labels.env}}/{{cluster.identity.REGION}}', ctx), { value: 'prod-eu/web/production/eu-west-1' });
  assert.deepEqual(expandTemplate('{{cluster.labels.topology.kubernetes.io/region}}', ctx), { value: 'eu-west-1' });
  assert.deepEqual(expandTemplate('no templates here', ctx), { value: 'no templates here' });
});

test('an unknown key is an error, never an empty string', () => {
  const result = expandTemplate('apps/{{cluster.labels.tier}}', ctx);
  assert.ok('error' in result);
  assert.match(result.error, /cluster prod-eu has no label "tier" \(it has: env, topology\.kubernetes\.io\/region\)/);
  const identity = expandTemplate('{{cluster.identity.ZONE}}', ctx);
  assert.ok('error' in identity && /no identity key "ZONE"/.test(identity.error));
});

test('malformed templates and logic are rejected', () => {
  for (const [text, why] of [
    ['{{cluster.namespace}}', /unknown template key "cluster\.namespace"/],
    ['{{ if cluster.name }}', /no functions, pipes or logic/],
    ['{{cluster.name', /never closes it/],
    ['{{}}', /unknown template key ""/],
    ['{{cluster.labels.}}', /unknown template key/],
  ] as const) {
    const parsed = parseTemplate(text);
    assert.ok('error' in parsed, text);
    assert.match(parsed.error, why);
  }
});
