import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countChanges, formatChangeSetEntry, hasWrites, summarizeChanges, type ChangeSet } from './changeset.js';

const deployment = { kind: 'Deployment', namespace: 'web', name: 'api' };
const configMap = { kind: 'ConfigMap', namespace: 'web', name: 'old' };
const namespace = { kind: 'Namespace', name: 'web' };

test('counts every action, including the ones that did not happen', () => {
  const changeSet: ChangeSet = {
    entries: [
      { object: namespace, action: 'unchanged' },
      { object: deployment, action: 'configured' },
      { object: configMap, action: 'skipped', reason: 'prune is disabled' },
    ],
  };
  assert.deepEqual(countChanges(changeSet), { created: 0, configured: 1, unchanged: 1, deleted: 0, skipped: 1 });
  assert.equal(summarizeChanges(changeSet), '1 configured, 1 unchanged, 1 skipped');
});

test('an empty change set says so', () => {
  assert.equal(summarizeChanges({ entries: [] }), 'no objects');
});

test('a change set of unchanged and skipped objects wrote nothing', () => {
  assert.equal(hasWrites({ entries: [{ object: namespace, action: 'unchanged' }, { object: configMap, action: 'skipped', reason: 'x' }] }), false);
  assert.equal(hasWrites({ entries: [{ object: configMap, action: 'deleted' }] }), true);
  assert.equal(hasWrites({ entries: [{ object: deployment, action: 'created' }] }), true);
});

test('an entry prints with formatRef and its reason', () => {
  assert.equal(formatChangeSetEntry({ object: deployment, action: 'configured' }), 'Deployment/web/api configured');
  assert.equal(formatChangeSetEntry({ object: configMap, action: 'skipped', reason: 'prune is disabled' }), 'ConfigMap/web/old skipped: prune is disabled');
  assert.equal(formatChangeSetEntry({ object: namespace, action: 'created' }), 'Namespace/web created');
});
