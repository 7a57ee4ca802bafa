import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHelmYaml } from './yaml-v2.js';

// Each expectation is what helm 4.1 reported with `kindOf` for the same values file.
test('values resolve as helm reads them: YAML 1.1 booleans and numbers, dates and base 60 as text', () => {
  const parsed = parseHelmYaml('a: yes\nb: on\nc: 0755\nd: 2001-12-14\nf: 1:20\ng: 0o17\nk: 0x1F\nm: y\nn: 1_000\np: 0b101\nq: ~\n', 'values.yaml');
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value[0]!.value, { a: true, b: true, c: 493, d: '2001-12-14', f: '1:20', g: 15, k: 31, m: true, false: 1000, p: 5, q: null });
});

test('infinite numbers are errors, as helm cannot turn them into JSON', () => {
  const parsed = parseHelmYaml('a:\n  b: .inf\n', 'values/prod.yaml');
  assert.equal(parsed.ok, false);
  assert.match(parsed.ok ? '' : parsed.issues[0]!.message, /^values\/prod\.yaml: a\.b is infinite/);
});

test("the comment above each document is kept, so helm's Source lines name each object's template", () => {
  const parsed = parseHelmYaml('---\n# Source: web/templates/a.yaml\nkind: A\n---\n# Source: web/templates/b.yaml\nkind: B\n', 'out');
  assert.ok(parsed.ok);
  assert.deepEqual(
    parsed.value.map((d) => d.comment.trim()),
    ['Source: web/templates/a.yaml', 'Source: web/templates/b.yaml'],
  );
});

test('alias bombs and syntax errors are reported with the file', () => {
  const bomb = parseHelmYaml('a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n', 'bomb.yaml');
  assert.equal(bomb.ok ? '' : bomb.issues[0]!.code, 'YAML_ALIAS_LIMIT');
  const broken = parseHelmYaml('a: [1, 2\n', 'broken.yaml');
  assert.match(broken.ok ? '' : broken.issues[0]!.message, /^broken\.yaml: invalid YAML/);
});

// Found by the fuzz suite (test/fuzz): the manifest reader called `<<: ""` an alias bomb because
// the yaml package's message says "map aliases"; this reader matched on the same word.
test('a merge key with a scalar is a YAML_PARSE error, not an alias bomb', () => {
  const merged = parseHelmYaml('a:\n  <<: ""\n', 'values.yaml');
  assert.equal(merged.ok ? '' : merged.issues[0]!.code, 'YAML_PARSE');
});

// Found by the fuzz suite (test/fuzz, FUZZ_SEED=7): a values file `a: &a [*a]` threw "Maximum
// call stack size exceeded" out of the check for infinite numbers.
test('an alias that refers to the node holding it is an error, not a stack overflow', () => {
  const looped = parseHelmYaml('a: &a [*a]\n', 'values.yaml');
  assert.equal(looped.ok ? '' : looped.issues[0]!.code, 'YAML_ALIAS_LIMIT');
});

// Found by the fuzz suite (test/fuzz): a values file with a list as a key printed a Node warning
// and turned the key into a string; helm refuses it.
test('a map key that is a list is a YAML_PARSE error', () => {
  const keyed = parseHelmYaml('? [a, b]\n: c\n', 'values.yaml');
  assert.equal(keyed.ok ? '' : keyed.issues[0]!.message, 'values.yaml: line 1: a map key is itself a map or a list; keys are strings');
});
