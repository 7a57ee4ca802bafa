import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchesLabelSelector, parseLabelSelector } from './label-selector.js';

function parse(text: string) {
  const r = parseLabelSelector(text);
  if (!r.ok) throw r.issues[0];
  return r.value;
}

test('parses every operator', () => {
  assert.deepEqual(parse('a=1, b==2,c!=3'), [
    { key: 'a', operator: 'equals', values: ['1'] },
    { key: 'b', operator: 'equals', values: ['2'] },
    { key: 'c', operator: 'notEquals', values: ['3'] },
  ]);
  assert.deepEqual(parse('tier in (a, b),env notin (x),!legacy,app'), [
    { key: 'tier', operator: 'in', values: ['a', 'b'] },
    { key: 'env', operator: 'notIn', values: ['x'] },
    { key: 'legacy', operator: 'notExists', values: [] },
    { key: 'app', operator: 'exists', values: [] },
  ]);
  assert.deepEqual(parse('n>3,m<10'), [
    { key: 'n', operator: 'gt', values: ['3'] },
    { key: 'm', operator: 'lt', values: ['10'] },
  ]);
  assert.deepEqual(parse(''), []);
  assert.deepEqual(parse('a='), [{ key: 'a', operator: 'equals', values: [''] }]);
});

test('rejects malformed selectors', () => {
  for (const bad of ['a in b', 'a in (b', '=a', 'a b', 'a>x', 'a,', '!']) {
    assert.equal(parseLabelSelector(bad).ok, false, bad);
  }
});

test('matches as Kubernetes does', () => {
  const labels = { tier: 'backend', env: 'prod', n: '5' };
  assert.equal(matchesLabelSelector(parse('tier=backend'), labels), true);
  assert.equal(matchesLabelSelector(parse('tier!=backend'), labels), false);
  assert.equal(matchesLabelSelector(parse('missing!=x'), labels), true);
  assert.equal(matchesLabelSelector(parse('missing notin (x)'), labels), true);
  assert.equal(matchesLabelSelector(parse('missing in (x)'), labels), false);
  assert.equal(matchesLabelSelector(parse('n>4,n<6'), labels), true);
  assert.equal(matchesLabelSelector(parse('n>5'), labels), false);
  assert.equal(matchesLabelSelector(parse('env,!legacy'), labels), true);
  assert.equal(matchesLabelSelector(parse('env,!legacy'), undefined), false);
  assert.equal(matchesLabelSelector(parse(''), undefined), true);
});
