import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageMatches, imagesStep, splitImage, updateImage } from './images.js';
import { resourcesFromYaml, stepContext } from './testing.js';

test('splitImage tells a registry port from a tag and reads digests', () => {
  assert.deepEqual(splitImage('registry.internal:5000/platform/agent:v2.3.0'), { name: 'registry.internal:5000/platform/agent', tag: 'v2.3.0', digest: '' });
  assert.deepEqual(splitImage('registry.internal:5000/platform/agent'), { name: 'registry.internal:5000/platform/agent', tag: '', digest: '' });
  assert.deepEqual(splitImage('nginx@sha256:abc'), { name: 'nginx', tag: '', digest: 'sha256:abc' });
  assert.deepEqual(splitImage('nginx:1.2@sha256:abc'), { name: 'nginx', tag: '1.2', digest: 'sha256:abc' });
});

test('imageMatches compares names whatever the tag or digest', () => {
  assert.ok(imageMatches('nginx', 'nginx'));
  assert.ok(imageMatches('nginx:1.2', 'nginx'));
  assert.ok(imageMatches('nginx:1.2@sha256:abc', 'nginx'));
  assert.ok(imageMatches('nginx@sha256:abc', 'nginx'));
  assert.ok(!imageMatches('nginxx:1', 'nginx'));
  assert.ok(!imageMatches('registry.example.com/catalog/api-docs:3.0.0', 'registry.example.com/catalog/api'));
  // kustomize v5.7.1 only recognises sha256 digests here
  assert.ok(!imageMatches('nginx@sha512:abc', 'nginx'));
});

test('updateImage applies newName, newTag and digest as kustomize does', () => {
  assert.equal(updateImage('nginx:1.2@sha256:abc', { name: 'nginx', newTag: '9' }), 'nginx:9');
  assert.equal(updateImage('nginx:1.2', { name: 'nginx', digest: 'sha256:fff' }), 'nginx@sha256:fff');
  assert.equal(updateImage('nginx:1.2', { name: 'nginx', newTag: '9', digest: 'sha256:fff' }), 'nginx:9@sha256:fff');
  assert.equal(updateImage('busybox', { name: 'busybox', newName: 'mirror/busybox', newTag: '1.36.1' }), 'mirror/busybox:1.36.1');
});

test('images reach containers and init containers of any kind, in CronJobs and custom resources too, but never CRDs', () => {
  const resources = resourcesFromYaml(`
apiVersion: batch/v1
kind: CronJob
metadata: {name: gc}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers: [{name: i, image: "agent:1"}]
          containers: [{name: c, image: "agent:1"}, {name: d, image: "other:1"}]
---
apiVersion: platform.example.com/v1
kind: AgentPool
metadata: {name: pool}
spec:
  workers:
    containers: [{name: c, image: "agent"}]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: agentpools.platform.example.com}
spec:
  containers: [{name: c, image: "agent:1"}]
`);
  assert.ok(imagesStep(resources, { images: [{ name: 'agent', newTag: '2' }] }, stepContext()).ok);
  const [cronJob, pool, crd] = resources.map((r) => r.object as Record<string, any>);
  const pod = cronJob!.spec.jobTemplate.spec.template.spec;
  assert.deepEqual([pod.initContainers[0].image, pod.containers[0].image, pod.containers[1].image], ['agent:2', 'agent:2', 'other:1']);
  assert.equal(pool!.spec.workers.containers[0].image, 'agent:2');
  assert.equal(crd!.spec.containers[0].image, 'agent:1');
});

test('images entries apply in order, so a later entry matches the name an earlier one set', () => {
  const resources = resourcesFromYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: search-indexer}]\n');
  imagesStep(
    resources,
    {
      images: [
        { name: 'search-indexer', newName: 'registry.example.com/search/indexer', newTag: '0.9.0' },
        { name: 'registry.example.com/search/indexer', newTag: '1.0.3' },
      ],
    },
    stepContext(),
  );
  assert.equal((resources[0]!.object as Record<string, any>).spec.containers[0].image, 'registry.example.com/search/indexer:1.0.3');
});

test('image volumes and configured fields are updated through the field specs', () => {
  const resources = resourcesFromYaml('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes: [{name: v, image: {reference: "models:1"}}]\n');
  imagesStep(resources, { images: [{ name: 'models', newTag: '2' }] }, stepContext());
  assert.equal((resources[0]!.object as Record<string, any>).spec.volumes[0].image.reference, 'models:2');
});

// Found while fuzzing bad input (test/fuzz): image names are regular expressions in kustomize, and
// a backtracking RegExp for a name like (a+)+ could take exponential time on a long image.
test('imageMatches takes image names as Go regular expressions, in linear time', () => {
  assert.equal(imageMatches('a'.repeat(5000) + '!', '(a+)+'), false);
  assert.equal(imageMatches('nginx:1.25', '(?i)NGINX'), true);
  assert.equal(imageMatches('nginx', '*'), false);
});
