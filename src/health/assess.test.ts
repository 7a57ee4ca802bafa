import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYamlStream, type KubeObject } from '../manifest/index.js';
import { assessHealth, assessorKey, healthAssessors } from './assess.js';
import type { HealthStatus } from './types.js';

// Every fixture is a live object as an API server returns it, named testdata/<kind>-<state>[-<case>].yaml,
// with its expected verdict on the first line: `# expect: <Status>: <part of the message>`.
const dir = join(import.meta.dirname, 'testdata');
const states: Record<string, HealthStatus> = { healthy: 'Healthy', progressing: 'Progressing', degraded: 'Degraded', unknown: 'Unknown' };

interface Fixture {
  file: string;
  object: KubeObject;
  status: HealthStatus;
  message: string;
}

function loadFixtures(): Fixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(join(dir, file), 'utf8');
      const expect = /^# expect: (\w+): (.+)$/m.exec(text.split('\n')[0]!);
      assert.ok(expect, `${file}: the first line must be "# expect: <Status>: <message>"`);
      const parsed = parseYamlStream(text, { file });
      assert.ok(parsed.ok, `${file} parses`);
      const state = file.split('-')[1]!.replace(/\.yaml$/, '');
      assert.equal(expect[1], states[state], `${file}: the file name says ${state}, the expectation ${expect[1]}`);
      return { file, object: parsed.value[0]!.value as KubeObject, status: expect[1] as HealthStatus, message: expect[2]! };
    });
}

const fixtures = loadFixtures();

for (const fixture of fixtures) {
  test(`${fixture.file} is ${fixture.status}`, () => {
    const verdict = assessHealth(fixture.object);
    assert.equal(verdict.status, fixture.status, verdict.message);
    assert.ok(verdict.message.includes(fixture.message), `message "${verdict.message}" should contain "${fixture.message}"`);
  });
}

test('every assessor in the table has a healthy fixture and an unhealthy one', () => {
  for (const key of Object.keys(healthAssessors)) {
    const mine = fixtures.filter((f) => assessorKey(f.object) === key);
    assert.ok(mine.some((f) => f.status === 'Healthy'), `${key} has no healthy fixture`);
    assert.ok(mine.some((f) => f.status !== 'Healthy'), `${key} has no unhealthy fixture`);
  }
});

test('the dispatch key is Kind.group, with no suffix for the core group', () => {
  assert.equal(assessorKey({ apiVersion: 'apps/v1', kind: 'Deployment' }), 'Deployment.apps');
  assert.equal(assessorKey({ apiVersion: 'v1', kind: 'Service' }), 'Service');
  assert.equal(assessorKey({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition' }), 'CustomResourceDefinition.apiextensions.k8s.io');
});

test('a kind of the same name in another group is not judged by the built-in assessor', () => {
  // A custom Deployment kind without status must not be taken for apps/v1 (which would wait forever).
  const custom = { apiVersion: 'example.org/v1', kind: 'Deployment', metadata: { name: 'x', generation: 1 }, spec: { replicas: 3 } };
  assert.deepEqual(assessHealth(custom), { status: 'Healthy', message: 'exists' });
});

test('an object that does not exist is Unknown', () => {
  assert.deepEqual(assessHealth(undefined), { status: 'Unknown', message: 'not found in the cluster' });
});

test('a status of the wrong shape does not throw and reads as not there yet', () => {
  const odd = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', generation: 2 }, spec: { replicas: 'three' }, status: { observedGeneration: 2, conditions: 'none', updatedReplicas: '1' } };
  const verdict = assessHealth(odd as unknown as KubeObject);
  assert.equal(verdict.status, 'Progressing');
  assert.equal(verdict.message, '0 of 1 replicas run the new template');
});
