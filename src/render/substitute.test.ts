import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../manifest/index.js';
import { substituteObjects, substituteString } from './substitute.js';
import type { ProvenanceEntry, RenderedObject } from './types.js';

const vars = { NAME: 'web', EMPTY: '', PATH_NAME: '/home/bozo/ideas/thoughts.for.today', FILE: 'bash.string.txt', MIXED: 'abcABC123ABCabc', REPLICAS: '3', FLAG: 'true' };

function expand(text: string, variables: Record<string, string> = vars): string {
  const result = substituteString(text, variables);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.value;
}

test('${VAR} and the default forms: := and :- use the default when unset or empty, = and - only when unset', () => {
  assert.equal(expand('app-${NAME}'), 'app-web');
  assert.equal(expand('${MISSING:=fallback}'), 'fallback');
  assert.equal(expand('${MISSING:-fallback}'), 'fallback');
  assert.equal(expand('${EMPTY:=fallback}'), 'fallback');
  assert.equal(expand('${EMPTY:-fallback}'), 'fallback');
  assert.equal(expand('${EMPTY=fallback}'), '');
  assert.equal(expand('${EMPTY-fallback}'), '');
  assert.equal(expand('${MISSING=fallback}'), 'fallback');
  assert.equal(expand('${NAME:=fallback}'), 'web');
  assert.equal(expand('${MISSING:=${NAME}-suffix}'), 'web-suffix', 'defaults may hold variables');
  assert.equal(expand('${MISSING:=}'), '');
});

test('$$ is a literal $, and $VAR without braces is left alone', () => {
  assert.equal(expand('$${NAME}'), '${NAME}');
  assert.equal(expand('cost: $$5 and $NAME'), 'cost: $5 and $NAME');
  assert.equal(expand('some text ${NAME}$${var$${NAME}$NAME${NAME}'), 'some text web${var${NAME}$NAMEweb');
  assert.equal(expand('echo $1 $HOME'), 'echo $1 $HOME');
});

test('the bash forms Flux supports: length, case, substring, strip and replace', () => {
  assert.equal(expand('${#NAME}'), '3');
  assert.equal(expand('${NAME^}'), 'Web');
  assert.equal(expand('${NAME^^}'), 'WEB');
  assert.equal(expand('${MIXED,}'), 'abcABC123ABCabc');
  assert.equal(expand('${MIXED,,}'), 'abcabc123abcabc');
  assert.equal(expand('${PATH_NAME:11}'), 'ideas/thoughts.for.today');
  assert.equal(expand('${PATH_NAME:11:5}'), 'ideas');
  assert.equal(expand('${FILE#*.}'), 'string.txt');
  assert.equal(expand('${FILE##*.}'), 'txt');
  assert.equal(expand('${FILE%.*}'), 'bash.string');
  assert.equal(expand('${FILE%%.*}'), 'bash');
  assert.equal(expand('${MIXED/abc/xyz}'), 'xyzABC123ABCabc');
  assert.equal(expand('${MIXED//abc/xyz}'), 'xyzABC123ABCxyz');
  assert.equal(expand('${MIXED/#abc/XYZ}'), 'XYZABC123ABCabc');
  assert.equal(expand('${MIXED/%abc/XYZ}'), 'abcABC123ABCXYZ');
  assert.equal(expand('${PATH_NAME//\\//-}'), '-home-bozo-ideas-thoughts.for.today');
});

test('strict: an undefined variable without a default is an error naming it; malformed and unsupported forms too', () => {
  const undefinedVar = substituteString('x-${NOPE}', vars);
  assert.deepEqual(undefinedVar.ok === false && [undefinedVar.code, undefinedVar.variable], ['RENDER_SUBSTITUTION_UNDEFINED', 'NOPE']);
  const lengthOfMissing = substituteString('${#NOPE}', vars);
  assert.equal(lengthOfMissing.ok === false && lengthOfMissing.code, 'RENDER_SUBSTITUTION_UNDEFINED');
  for (const text of ['${NAME', '${}', '${1X}', '${NAME:+x}', '${NAME:?x}', '${NAME!}']) {
    const result = substituteString(text, vars);
    assert.equal(result.ok === false && result.code, 'RENDER_SUBSTITUTION_INVALID', text);
  }
});

function rendered(object: KubeObject, file = 'base/deploy.yaml'): RenderedObject {
  return { object, provenance: new Map<string, ProvenanceEntry>([['', { file, layer: 'resource' }]]) };
}

const deployment: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web-${NAME}', namespace: 'apps', labels: { version: '${REPLICAS}' } },
  spec: {
    replicas: '${REPLICAS}',
    paused: '${FLAG}',
    template: {
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx:${TAG:=1.27}',
            args: ['--workers', '${REPLICAS}'],
            env: [{ name: 'PORT', value: '${REPLICAS}' }],
            command: ['sh', '-c', 'echo $${HOME}\nexit 0'],
          },
        ],
      },
    },
  },
};

test('objects: values are replaced, a plain value takes the YAML type of its result (as Flux does) except where the API takes only strings', () => {
  const input = rendered(deployment);
  const before = JSON.stringify(input.object);
  const result = substituteObjects([input], { variables: vars, sources: { REPLICAS: { file: 'flotilla.yaml', layer: 'substitution', step: 'spec.releases[1].substitute.REPLICAS' } } });
  assert.ok(result.ok);
  const out = result.value[0]!.object as any;
  assert.equal(JSON.stringify(input.object), before, 'the input object is not changed');
  assert.equal(out.metadata.name, 'web-web');
  assert.equal(out.metadata.labels.version, '3', 'labels stay strings');
  assert.equal(out.spec.replicas, 3);
  assert.equal(out.spec.paused, true);
  const container = out.spec.template.spec.containers[0];
  assert.equal(container.image, 'nginx:1.27');
  assert.deepEqual(container.args, ['--workers', '3']);
  assert.equal(container.env[0].value, '3');
  assert.equal(container.command[2], 'echo ${HOME}\nexit 0');
  const provenance = result.value[0]!.provenance;
  assert.deepEqual(provenance.get('/spec/replicas'), { file: 'flotilla.yaml', layer: 'substitution', step: '${REPLICAS} from spec.releases[1].substitute.REPLICAS' });
  assert.deepEqual(provenance.get('/spec/template/spec/containers/0/image'), { file: 'base/deploy.yaml', layer: 'substitution', step: 'default' });
});

test('ConfigMap data stays text; keys are substituted too', () => {
  const cm = rendered({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { COUNT: '${REPLICAS}', '${NAME}.conf': 'x' } });
  const result = substituteObjects([cm], { variables: vars });
  assert.ok(result.ok);
  assert.deepEqual(result.value[0]!.object.data, { COUNT: '3', 'web.conf': 'x' });
});

test('an object annotated or labelled substitute: disabled (Flotilla or Flux key) is left alone', () => {
  for (const metadata of [
    { name: 'a', annotations: { 'flotilla.dev/substitute': 'disabled' } },
    { name: 'b', labels: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } },
  ]) {
    const input = rendered({ apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { script: 'echo ${UNDEFINED}' } });
    const result = substituteObjects([input], { variables: vars });
    assert.ok(result.ok);
    assert.equal(result.value[0], input);
  }
});

test('every undefined variable of every object is reported with the object and field', () => {
  const a = rendered({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' }, data: { x: '${ONE}', y: '${TWO:=ok}' } });
  const b = rendered({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'b', namespace: 'ns' }, spec: { ports: [{ name: '${THREE}' }] } });
  const result = substituteObjects([a, b], { variables: { NAME: 'x' }, context: 'prod/web' });
  assert.equal(result.ok, false);
  const messages = !result.ok ? result.issues.map((i) => i.message) : [];
  assert.deepEqual(messages, [
    'prod/web: ConfigMap/ns/a: data.x: variable ONE is not defined and has no default (defined: NAME); the value is set in base/deploy.yaml',
    'prod/web: Service/ns/b: spec.ports[0].name: variable THREE is not defined and has no default (defined: NAME); the value is set in base/deploy.yaml',
  ]);
});

// Found by the fuzz suite (test/fuzz): substitution errors named the target, object and field but
// no file, so a fleet-wide render did not say which manifest to fix.
test('a substitution error names the file that set the field, from its provenance', () => {
  const object = rendered({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { x: '${NOPE}', y: 'ok' } }, 'apps/web/base/cm.yaml');
  object.provenance.set('/data/x', { file: 'apps/web/overlays/dev/patch.yaml', layer: 'patch' });
  const result = substituteObjects([object], { variables: {} });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.issues[0]!.file, 'apps/web/overlays/dev/patch.yaml');
  assert.match(result.issues[0]!.message, /data\.x: variable NOPE is not defined .*; the value is set in apps\/web\/overlays\/dev\/patch\.yaml$/);
});

// Found while fuzzing fleet renders (test/fuzz): glob patterns ran as backtracking regular
// expressions, so ${VAR//*a*a*a*b/x} over a 300-character value took 112 s and ${VAR#*a*b} over
// 2000 characters 5 s; an invalid class such as [z-a] threw a SyntaxError out of the render.
test('glob patterns match in linear steps, with the same results, and an invalid class is an error value', () => {
  const long = 'a'.repeat(5000);
  assert.equal(expand('${V//*a*a*a*b/x}', { V: long }), long);
  assert.equal(expand('${V##*a*a*a*b}', { V: `${long}b` }), '');
  const cases: [string, string][] = [
    ['${V#*a}', 'babab'],
    ['${V##*a}', 'b'],
    ['${V%a*}', 'abab'],
    ['${V%%a*}', ''],
    ['${V/a?/X}', 'Xabab'],
    ['${V//a?/X}', 'XXX'],
    ['${V/#[!b]*a/X}', 'Xb'],
    ['${V/%b/X}', 'ababaX'],
    ['${V//*/X}', 'XX'],
  ];
  for (const [expr, want] of cases) {
    const result = substituteString(expr, { V: 'ababab' });
    assert.ok(result.ok, expr);
    assert.equal(result.value, want, expr);
  }
  const invalid = substituteString('${V#[z-a]}', { V: 'x' });
  assert.equal(invalid.ok, false);
  if (!invalid.ok) assert.match(invalid.message, /invalid character class \[z-a\]/);
});
