import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTransformerConfig, loadTransformerConfig, mergeTransformerConfigs, parseConfigurationsFile, parseCrdsFile } from './config.js';
import { stepContext } from './testing.js';

test('the default configuration carries kustomize built-in tables', () => {
  const config = defaultTransformerConfig();
  assert.ok(config.commonLabels.some((s) => s.kind === 'Service' && s.path === 'spec/selector' && s.create));
  assert.ok(config.commonLabels.some((s) => s.kind === 'Job' && s.path === 'spec/selector/matchLabels' && !s.create));
  assert.ok(!config.commonLabels.some((s) => s.kind === 'HorizontalPodAutoscaler'));
  const configMapRefs = config.nameReference.find((r) => r.kind === 'ConfigMap')!.fieldSpecs;
  assert.ok(configMapRefs.some((s) => s.kind === 'CronJob' && s.path === 'spec/jobTemplate/spec/template/spec/volumes/projected/sources/configMap/name'));
});

test('a configurations file adds field specs; unknown keys are errors', () => {
  const parsed = parseConfigurationsFile(
    [
      'nameReference:',
      '- kind: ConfigMap',
      '  version: v1',
      '  fieldSpecs:',
      '  - {kind: TrainingJob, group: ml.example.com, path: spec/hyperparametersRef/name}',
      'commonLabels:',
      '- {kind: TrainingJob, path: spec/workerSelector, create: true}',
      'images:',
      '- {kind: TrainingJob, path: spec/trainerImage}',
    ].join('\n'),
    'kustomizeconfig/trainingjob.yaml',
  );
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  assert.deepEqual(parsed.value.commonLabels, [{ kind: 'TrainingJob', path: 'spec/workerSelector', create: true }]);
  assert.deepEqual(parsed.value.nameReference[0]!.fieldSpecs, [{ kind: 'TrainingJob', group: 'ml.example.com', path: 'spec/hyperparametersRef/name' }]);
  const bad = parseConfigurationsFile('bogusKey:\n- path: x\n', 'cfg.yaml');
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.match(bad.issues[0]!.message, /cfg\.yaml: unknown field "bogusKey"/);
});

test('a crds file turns OpenAPI extensions into name references and label fields', () => {
  const parsed = parseCrdsFile(
    JSON.stringify({
      'io.example.platform.v1.AppRoute': {
        Schema: { properties: { apiVersion: {}, kind: {}, metadata: { $ref: 'k8s.io/apimachinery/pkg/apis/meta/v1.ObjectMeta' }, spec: { $ref: 'io.example.platform.v1.AppRouteSpec' } } },
      },
      'io.example.platform.v1.AppRouteSpec': {
        Schema: {
          properties: {
            backend: { 'x-kubernetes-object-ref-api-version': 'v1', 'x-kubernetes-object-ref-kind': 'Service' },
            tlsSecret: { 'x-kubernetes-object-ref-api-version': 'v1', 'x-kubernetes-object-ref-kind': 'Secret', 'x-kubernetes-object-ref-name-key': 'secretName' },
            podSelector: { 'x-kubernetes-label-selector': '' },
          },
        },
      },
    }),
    'defs.json',
  );
  assert.ok(parsed.ok);
  if (!parsed.ok) return;
  assert.deepEqual(parsed.value.commonLabels, [{ kind: 'AppRoute', path: 'spec/podSelector' }]);
  assert.deepEqual(
    parsed.value.nameReference.map((r) => [r.kind, r.version, r.fieldSpecs.map((s) => `${s.kind}:${s.path}`)]),
    [
      ['Service', 'v1', ['AppRoute:spec/backend/name']],
      ['Secret', 'v1', ['AppRoute:spec/tlsSecret/secretName']],
    ],
  );
});

test('loadTransformerConfig merges inherited configs, the defaults and the files it names', () => {
  const ctx = stepContext({ 'cfg.yaml': 'images:\n- {kind: Thing, path: spec/image}\n' });
  const base = loadTransformerConfig({ configurations: ['cfg.yaml'] }, ctx);
  assert.ok(base.ok);
  if (!base.ok) return;
  const overlay = loadTransformerConfig({}, stepContext(), [base.value]);
  assert.ok(overlay.ok);
  if (overlay.ok) assert.ok(overlay.value.images.some((s) => s.kind === 'Thing'), "the base's configurations still apply in the overlay");
  const missing = loadTransformerConfig({ configurations: ['nope.yaml'] }, ctx);
  assert.equal(missing.ok, false);
  const conflict = loadTransformerConfig({ configurations: ['c.yaml'] }, stepContext({ 'c.yaml': 'commonLabels:\n- path: metadata/labels\n  create: false\n' }));
  assert.equal(conflict.ok, false);
  if (!conflict.ok) assert.match(conflict.issues[0]!.message, /conflicting field specs/);
});

test('mergeTransformerConfigs pools the field specs of name references to the same kind', () => {
  const a = parseConfigurationsFile('nameReference:\n- kind: Secret\n  fieldSpecs:\n  - {kind: A, path: x}\n', 'a.yaml');
  const b = parseConfigurationsFile('nameReference:\n- kind: Secret\n  fieldSpecs:\n  - {kind: B, path: y}\n', 'b.yaml');
  assert.ok(a.ok && b.ok);
  if (!a.ok || !b.ok) return;
  const merged = mergeTransformerConfigs(a.value, b.value);
  assert.ok(merged.ok);
  if (merged.ok) assert.deepEqual(merged.value.nameReference[0]!.fieldSpecs.map((s) => s.kind), ['A', 'B']);
});
