import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotationsStep, labelsStep } from './labels.js';
import { objectsOf, resourcesFromYaml, stepContext } from './testing.js';

// Expected values were checked against kustomize v5.7.1.
const workloads = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels: {x: y}
---
apiVersion: batch/v1
kind: Job
metadata: {name: job}
spec:
  template:
    spec: {}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec:
  ports: [{port: 80}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: hpa}
spec:
  scaleTargetRef: {kind: Deployment, name: web}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  volumeClaimTemplates:
  - metadata: {name: data}
`;

test('commonLabels reach metadata, pod templates and the selectors that must keep matching them', () => {
  const resources = resourcesFromYaml(workloads);
  assert.ok(labelsStep(resources, { commonLabels: { team: 'a' } }, stepContext()).ok);
  const [web, job, svc, hpa, db] = objectsOf(resources) as Record<string, any>[];
  assert.deepEqual(web!.metadata.labels, { team: 'a' });
  assert.deepEqual(web!.spec.selector, { matchLabels: { team: 'a' } });
  assert.deepEqual(web!.spec.template.metadata.labels, { team: 'a' });
  assert.deepEqual(web!.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels, { team: 'a', x: 'y' });
  // A Job's selector is only updated when present, never created.
  assert.equal(job!.spec.selector, undefined);
  assert.deepEqual(job!.spec.template.metadata.labels, { team: 'a' });
  assert.deepEqual(svc!.spec.selector, { team: 'a' });
  assert.deepEqual(hpa!.spec, { scaleTargetRef: { kind: 'Deployment', name: 'web' } });
  assert.deepEqual(db!.spec.volumeClaimTemplates[0].metadata.labels, { team: 'a' });
});

test('a labels entry without options touches metadata.labels only', () => {
  const resources = resourcesFromYaml(workloads);
  labelsStep(resources, { labels: [{ pairs: { env: 'prod' } }] }, stepContext());
  const [web, , svc] = objectsOf(resources) as Record<string, any>[];
  assert.deepEqual(web!.metadata.labels, { env: 'prod' });
  assert.equal(web!.spec.selector, undefined);
  assert.equal(web!.spec.template.metadata, undefined);
  assert.equal(svc!.spec.selector, undefined);
});

test('labels with includeTemplates reach pod and claim templates but not selectors; includeSelectors behaves like commonLabels', () => {
  const templates = resourcesFromYaml(workloads);
  labelsStep(templates, { labels: [{ pairs: { release: 'stable' }, includeTemplates: true }] }, stepContext());
  const [web, , svc, , db] = objectsOf(templates) as Record<string, any>[];
  assert.deepEqual(web!.spec.template.metadata.labels, { release: 'stable' });
  assert.equal(web!.spec.selector, undefined);
  assert.equal(svc!.spec.selector, undefined);
  assert.deepEqual(db!.spec.volumeClaimTemplates[0].metadata.labels, { release: 'stable' });

  const selectors = resourcesFromYaml(workloads);
  labelsStep(selectors, { labels: [{ pairs: { track: 'main' }, includeSelectors: true }] }, stepContext());
  assert.deepEqual((objectsOf(selectors)[2] as Record<string, any>).spec.selector, { track: 'main' });
});

test('labels entries run before commonLabels, which win on the same key', () => {
  const resources = resourcesFromYaml('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: {app: old}}\n');
  labelsStep(resources, { labels: [{ pairs: { app: 'from-labels' } }], commonLabels: { app: 'from-common' } }, stepContext());
  assert.deepEqual(resources[0]!.object.metadata.labels, { app: 'from-common' });
});

test('labels fields add custom places for one entry', () => {
  const resources = resourcesFromYaml('apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec: {}\n');
  labelsStep(resources, { labels: [{ pairs: { a: 'b' }, fields: [{ kind: 'Thing', path: 'spec/selector', create: true }] }] }, stepContext());
  assert.deepEqual(resources[0]!.object.spec, { selector: { a: 'b' } });
});

test('a label field that is not a map is an error naming the object', () => {
  const resources = resourcesFromYaml('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {selector: app}\n');
  const result = labelsStep(resources, { commonLabels: { a: 'b' } }, stepContext());
  assert.equal(result.ok, false);
  if (!result.ok) assert.match(result.issues[0]!.message, /Service\/s: spec\.selector is not a map/);
});

test('commonAnnotations reach metadata and workload pod templates, replacing existing values', () => {
  const resources = resourcesFromYaml(`
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj, annotations: {owner: old}}
spec:
  jobTemplate:
    spec:
      template:
        spec: {}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {}
`);
  annotationsStep(resources, { commonAnnotations: { owner: 'team-a', 'example.com/on': 'true' } }, stepContext());
  const [cj, pod] = objectsOf(resources) as Record<string, any>[];
  const expected = { owner: 'team-a', 'example.com/on': 'true' };
  assert.deepEqual(cj!.metadata.annotations, expected);
  assert.deepEqual(cj!.spec.jobTemplate.metadata.annotations, expected);
  assert.deepEqual(cj!.spec.jobTemplate.spec.template.metadata.annotations, expected);
  assert.deepEqual(pod!.metadata.annotations, expected);
  assert.deepEqual(pod!.spec, {}, 'a Pod has no template');
});
