import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prefixStep, suffixStep } from './name-affix.js';
import { parseConfigurationsFile, mergeTransformerConfigs, defaultTransformerConfig } from './config.js';
import { namePrefixes, nameSuffixes } from './resource-ids.js';
import { resourcesFromYaml, stepContext } from './testing.js';

// Checked against kustomize v5.7.1: CRDs, APIServices and Namespaces keep their names.
const input = `
apiVersion: v1
kind: Namespace
metadata: {name: ns1}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata: {name: v1.example.com}
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: sc}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
`;

test('namePrefix and nameSuffix rename everything but CRDs, APIServices and Namespaces', () => {
  const resources = resourcesFromYaml(input);
  assert.ok(prefixStep(resources, { namePrefix: 'p-' }, stepContext()).ok);
  assert.ok(suffixStep(resources, { nameSuffix: '-s' }, stepContext()).ok);
  assert.deepEqual(
    resources.map((r) => r.object.metadata.name),
    ['ns1', 'widgets.example.com', 'v1.example.com', 'p-sc-s', 'p-web-s'],
  );
});

test('each rename goes onto the history with the affix it added', () => {
  const resources = resourcesFromYaml(input);
  prefixStep(resources, { namePrefix: 'p-' }, stepContext());
  suffixStep(resources, { nameSuffix: '-s' }, stepContext());
  prefixStep(resources, { namePrefix: 'outer-' }, stepContext());
  const web = resources[4]!;
  assert.deepEqual(
    web.history.map((h) => h.name),
    ['web', 'p-web', 'p-web-s'],
  );
  assert.equal(web.object.metadata.name, 'outer-p-web-s');
  assert.deepEqual(namePrefixes(web), ['p-', 'outer-']);
  assert.deepEqual(nameSuffixes(web), ['-s']);
  assert.deepEqual(resources[0]!.history, [], 'a Namespace is not renamed, so it has no history');
});

test('namePrefix field specs from configurations prefix other fields too', () => {
  const extra = parseConfigurationsFile('namePrefix:\n- {kind: Thing, path: spec/identity}\n', 'cfg.yaml');
  assert.ok(extra.ok);
  if (!extra.ok) return;
  const config = mergeTransformerConfigs(defaultTransformerConfig(), extra.value);
  assert.ok(config.ok);
  if (!config.ok) return;
  const resources = resourcesFromYaml('apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec: {identity: t}\n');
  prefixStep(resources, { namePrefix: 'p-' }, stepContext(), config.value);
  assert.deepEqual(resources[0]!.object, { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'p-t' }, spec: { identity: 'p-t' } });
  assert.equal(resources[0]!.history.length, 1, 'only the metadata.name change is an identity change');
});
