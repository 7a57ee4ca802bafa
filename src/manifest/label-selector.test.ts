import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatSelector, labelKeyProblem, labelValueProblem, selectorMatches, selectorProblems } from './label-selector.js';

test('selectorMatches: matchLabels and the four operators, all ANDed; an empty selector matches everything', () => {
  const labels = { env: 'prod', region: 'eu-west' };
  assert.equal(selectorMatches({}, labels), true);
  assert.equal(selectorMatches({}, undefined), true);
  assert.equal(selectorMatches({ matchLabels: { env: 'prod' } }, labels), true);
  assert.equal(selectorMatches({ matchLabels: { env: 'dev' } }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'prod'] }] }, labels), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu-west'] }] }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }, labels), true, 'NotIn matches an absent key');
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, labels), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, labels), false);
  assert.equal(selectorMatches({ matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'region', operator: 'In', values: ['us-east'] }] }, labels), false);
});

test('selectorProblems: values required by In/NotIn, forbidden for Exists/DoesNotExist, label syntax', () => {
  assert.deepEqual(selectorProblems({ matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['a'] }] }), []);
  const problems = selectorProblems({
    matchLabels: { 'app.kubernetes.io/name': 'ok', 'Bad/key': 'x', env: 'way too long '.repeat(10) },
    matchExpressions: [
      { key: 'env', operator: 'NotIn', values: [] },
      { key: 'env', operator: 'DoesNotExist', values: ['x'] },
    ],
  });
  assert.deepEqual(problems.map((p) => p.path), [['matchLabels', 'Bad/key'], ['matchLabels', 'env'], ['matchExpressions', 0, 'values'], ['matchExpressions', 1, 'values']]);
});

test('label keys and values follow the apimachinery rules', () => {
  assert.equal(labelKeyProblem('example.com/tier'), undefined);
  assert.match(labelKeyProblem('-tier')!, /must be 1-63/);
  assert.match(labelKeyProblem('Example.com/tier')!, /prefix/);
  assert.equal(labelValueProblem(''), undefined);
  assert.match(labelValueProblem('a b')!, /not a valid label value/);
});

test('formatSelector prints the kubectl syntax', () => {
  assert.equal(formatSelector({}), '(everything)');
  assert.equal(
    formatSelector({ matchLabels: { env: 'prod' }, matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu-west', 'eu-central'] }, { key: 'x', operator: 'Exists' }, { key: 'y', operator: 'DoesNotExist' }] }),
    'env=prod,region notin (eu-west,eu-central),x,!y',
  );
});
