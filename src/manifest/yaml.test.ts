import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { readFileSync } from 'node:fs';
import { parseYamlStream, stringifyYamlStream } from './yaml.js';
import { compareKeys } from './yaml-print.js';

test('stringifyYamlStream prints as kustomize: sorted keys, unindented sequences, literal blocks, go-yaml quoting', () => {
  const text = stringifyYamlStream([
    {
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'x' },
      data: { on: 'on', port: '8080', octal: '0644', date: '2024-03-01', plain: 'hello world', colon: 'a: b', quote: '"q"', multi: 'one\ntwo\n', empty: '' },
      list: ['a', 'b'],
    },
    { kind: 'B', long: 'x'.repeat(200) },
  ]);
  assert.equal(
    text,
    [
      'apiVersion: v1',
      'data:',
      "  colon: 'a: b'",
      '  date: "2024-03-01"',
      '  empty: ""',
      '  multi: |',
      '    one',
      '    two',
      '  octal: "0644"',
      '  "on": "on"',
      '  plain: hello world',
      '  port: "8080"',
      `  quote: '"q"'`,
      'kind: ConfigMap',
      'list:',
      '- a',
      '- b',
      'metadata:',
      '  name: x',
      '---',
      'kind: B',
      `long: ${'x'.repeat(200)}`,
      '',
    ].join('\n'),
  );
});

test('printed strings read back as the same strings under YAML 1.1 rules', () => {
  const words = ['y', 'n', 'yes', 'No', 'ON', 'off', 'true', 'null', '~', '', '1e3', '0x1F', '0o17', '+1', '.5', '1_000', '12:30:00', '2001-12-14t21:59:43.10-05:00', '.inf', '<<', '- x', '# c', 'a #b', '@x', '`x', '%x', '*x', '&x', '!x', '{x}', '[x]', 'x,y', '"', "'", ' lead', 'trail ', 'tab\there', 'line\n', 'a\n\nb'];
  const value = Object.fromEntries(words.map((w, i) => [`k${i}`, w]));
  const back = parseAllDocuments(stringifyYamlStream([value]), { version: '1.1' })[0]!.toJS();
  assert.deepEqual(back, value);
});

test('parseYamlStream with the kubernetes schema reads as go-yaml v3: numbers as Go parses them, on and yes are strings', () => {
  const r = parseYamlStream('a: 0644\nb: on\nc: yes\nd: 1.10\ne: 2024-03-01\nf: 0o17\ng: 1_000\nh: -0x1F\ni: 0b101\nj: 018\nk: 1.2.3\nl: _1\nm: .5\nn: .inf\n', { file: 'x.yaml', schema: 'kubernetes' });
  assert.ok(r.ok);
  assert.deepEqual(r.value[0]!.value, { a: 420, b: 'on', c: 'yes', d: 1.1, e: '2024-03-01', f: 15, g: 1000, h: -31, i: 5, j: 18, k: '1.2.3', l: '_1', m: 0.5, n: Infinity });
  const v11 = parseYamlStream('b: on\nc: yes\n', { file: 'x.yaml', schema: 'yaml-1.1' });
  assert.ok(v11.ok);
  assert.deepEqual(v11.value[0]!.value, { b: true, c: true });
});

test('parseYamlStream rejects repeated keys when asked, and names the file and line', () => {
  const r = parseYamlStream('a: 1\na: 2\n', { file: 'dup.yaml', uniqueKeys: true });
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.issues[0]!.code, 'YAML_PARSE');
    assert.match(r.issues[0]!.message, /dup\.yaml/);
  }
});

test('stringifyYamlStream matches kubectl kustomize byte for byte on hard strings (folding, quoting, block hints, key order, numbers)', () => {
  // testdata/go-yaml-print.yaml is what `kubectl kustomize` (kustomize v5.7.1) printed for the
  // objects in go-yaml-print.json: long lines folded at column 80, tabs and emoji escaped, trailing
  // spaces quoted, |2 / |+ / |- block hints, natural key order, floats in Go's %g, a 130-byte key.
  const objects = JSON.parse(readFileSync(new URL('testdata/go-yaml-print.json', import.meta.url), 'utf8')) as unknown[];
  assert.equal(stringifyYamlStream(objects), readFileSync(new URL('testdata/go-yaml-print.yaml', import.meta.url), 'utf8'));
});

test('compareKeys orders keys as go-yaml v2 does: non-letters first, digit runs as numbers', () => {
  assert.deepEqual(['b', 'a10', 'a2', '_x', 'B', '10', '9', 'x.1', 'x-1', 'é'].sort(compareKeys), ['_x', '9', '10', 'B', 'a2', 'a10', 'b', 'x-1', 'x.1', 'é']);
});

// Found by the fuzz suite (test/fuzz): a kustomization starting with the byte 0x01 parsed, with a
// key "\u0001transformers" that then showed up as an unknown field. go-yaml refuses such files.
test('parseYamlStream refuses control characters as go-yaml does, naming the line and column', () => {
  for (const [text, where] of [
    ['\u0001transformers: []\n', 'line 1, column 1'],
    ['a: 1\nb: "x\u007fy"\n', 'line 2, column 6'],
    ['a: 1\r\nb: \u0085ok\u009b\n', 'line 2, column 7'],
  ] as const) {
    const result = parseYamlStream(text, { file: 'kustomization.yaml' });
    assert.equal(result.ok, false, JSON.stringify(text));
    if (result.ok) continue;
    assert.equal(result.issues[0]!.code, 'FILE_NOT_TEXT');
    assert.match(result.issues[0]!.message, new RegExp(`^kustomization\\.yaml: ${where} holds the control character U\\+00`));
  }
  // Tab, line feed, carriage return, NEL and the byte order mark are text.
  const text = parseYamlStream('\ufeffa: "x\ty"\r\nb: c\u0085d\n', { file: 'ok.yaml' });
  assert.ok(text.ok);
});

// Found by the fuzz suite (test/fuzz): `<<: ""` in a resource was reported as YAML_ALIAS_LIMIT,
// "looks like an alias bomb", because the yaml package's message says "map aliases".
test('parseYamlStream reports a merge key with a scalar as YAML_PARSE, not as an alias bomb', () => {
  const result = parseYamlStream('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  <<: ""\n', { file: 'cm.yaml', schema: 'kubernetes' });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.issues[0]!.code, 'YAML_PARSE');
  assert.equal(result.issues[0]!.message, 'cm.yaml: document 1: Merge sources must be maps or map aliases');
  const bomb = parseYamlStream(`a: &a [x, x]\nb: [${Array(101).fill('*a').join(', ')}]\n`, { file: 'bomb.yaml' });
  assert.equal(bomb.ok ? undefined : bomb.issues[0]!.code, 'YAML_ALIAS_LIMIT');
});

// Found while fuzzing deep nesting (test/fuzz): a 6 KB file of 3000 compact entries (`- - - … x`)
// overflowed the yaml package's stack; the second such parse in a process killed it outright
// ("FATAL ERROR: RegExpCompiler Allocation failed - process out of memory"), because V8 compiled a
// regular expression with the stack exhausted. Such texts are now refused before they are parsed.
test('parseYamlStream refuses deep nesting before parsing, in every style, as often as it is asked', () => {
  const styles = [
    `${'- '.repeat(3000)}x\n`,
    `${'['.repeat(10_000)}x${']'.repeat(10_000)}\n`,
    `${'{a: '.repeat(10_000)}x${'}'.repeat(10_000)}\n`,
    Array.from({ length: 600 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + '\n',
  ];
  for (let round = 0; round < 3; round++) {
    for (const text of styles) {
      const result = parseYamlStream(text, { file: 'deep.yaml' });
      assert.equal(result.ok, false);
      if (result.ok) continue;
      assert.equal(result.issues[0]!.code, 'YAML_PARSE');
      assert.match(result.issues[0]!.message, /^deep\.yaml: line \d+, column \d+: the document nests too deeply/);
    }
  }
  // Block scalars, quoted scalars and comments are text: their brackets and indentation do not count.
  const deepText = `${' '.repeat(700)}[[[[`;
  const fine = parseYamlStream(`a: |\n${deepText}\n${deepText}\nb: "${'['.repeat(600)}"\nc: '${'{'.repeat(600)}'\n# ${'['.repeat(600)}\nd: [1, [2, [3]]]\n`, { file: 'fine.yaml' });
  assert.ok(fine.ok, fine.ok ? '' : fine.issues[0]!.message);
});

// Found by the fuzz suite (test/fuzz, FUZZ_SEED=7): `a: &a [*a]` parsed into an array that holds
// itself, and the next walk over it overflowed the stack (kubectl kustomize dies the same way).
test('parseYamlStream refuses an alias that refers to the node holding it', () => {
  for (const text of ['a: &a [*a]\n', 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: x\n  labels: *m\n', 'a: &a\n  <<: *a\n']) {
    const result = parseYamlStream(text, { file: 'loop.yaml', schema: 'kubernetes' });
    assert.equal(result.ok, false, text);
    if (result.ok) continue;
    assert.equal(result.issues[0]!.code, 'YAML_ALIAS_LIMIT');
    assert.match(result.issues[0]!.message, /^loop\.yaml: document 1: the alias \*[am] refers to the node that holds it/);
  }
  // Aliases to finished nodes, and to an inner anchor that reuses a name, are fine.
  assert.ok(parseYamlStream('a: &a [1]\nb: [*a, *a]\nc: &c [&c [2], *c]\n', { file: 'ok.yaml' }).ok);
});

// Found by the fuzz suite (test/fuzz): `? [a, b]` as a key made the yaml package print a Node
// warning ("Keys with collection values will be stringified") and render the key "[ a, b ]";
// kubectl kustomize refuses the file ("invalid map key").
test('parseYamlStream refuses a map key that is a map or a list', () => {
  const result = parseYamlStream('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  ? [a, b]\n  : c\n', { file: 'cm.yaml', schema: 'kubernetes' });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.issues[0]!.code, 'YAML_PARSE');
  assert.equal(result.issues[0]!.message, 'cm.yaml: line 6: a map key is itself a map or a list; keys are strings');
});
