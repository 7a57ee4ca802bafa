// Runs every case of the kustomize conformance corpus (../shared/kustomize-conformance, outputs of
// kubectl v1.35.2 / kustomize v5.7.1) through `flotilla build`'s renderer and printer, and
// compares as the corpus README says: both YAML streams parsed with YAML 1.1 scalar rules,
// empty documents ignored, documents pairwise deep-equal in order; error cases must fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildKustomization } from '../../src/render/index.js';
import { stringifyYamlStream } from '../../src/manifest/index.js';
import { localFs } from '../../src/source/index.js';

const corpus = new URL('../../../shared/kustomize-conformance/cases/', import.meta.url).pathname;
const conformanceDoc = new URL('../../docs/conformance.md', import.meta.url).pathname;

/**
 * knownFailures are the cases that do not pass yet, with the reason. Each is still run: a listed
 * case that starts passing fails this test until it is removed from the list (and from
 * docs/conformance.md, which must name every case listed here).
 */
const knownFailures: Record<string, string> = {};

interface CaseSpec {
  checks: string;
  build?: string;
  expectError?: boolean;
}

function parseStream(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`unparsable YAML: ${doc.errors[0]!.message}`);
      return doc.toJS();
    })
    .filter((v) => v !== null && v !== undefined);
}

/** runCase returns undefined when the case passes, or what went wrong. */
function runCase(name: string): string | undefined {
  const dir = join(corpus, name);
  const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseSpec;
  const result = buildKustomization(join(dir, spec.build ?? 'input'), { fs: localFs });
  if (spec.expectError) {
    return result.ok ? `the reference fails (${readFileSync(join(dir, 'expected-error.txt'), 'utf8').trim()}) but the build succeeded` : undefined;
  }
  if (!result.ok) return `the build failed: [${result.issues[0]!.code}] ${result.issues[0]!.message}`;
  const printed = stringifyYamlStream(result.value.objects.map((o) => o.object));
  const actual = parseStream(printed);
  const expected = parseStream(readFileSync(join(dir, 'expected.yaml'), 'utf8'));
  try {
    assert.deepStrictEqual(actual, expected);
  } catch (error) {
    return `output differs from expected.yaml:\n${(error as Error).message}`;
  }
  return undefined;
}

const cases = readdirSync(corpus).filter((name) => existsSync(join(corpus, name, 'case.json'))).sort();

test('the corpus is where the README says, with its 97 cases', () => {
  assert.equal(cases.length, 97);
});

for (const name of cases) {
  test(`kustomize conformance: ${name}`, { timeout: 10_000 }, () => {
    const problem = runCase(name);
    const known = knownFailures[name];
    if (known) {
      assert.ok(problem, `${name} passes now: remove it from knownFailures in this file and from docs/conformance.md`);
    } else if (problem) {
      assert.fail(`${name}: ${problem}`);
    }
  });
}

test('every case that builds prints byte for byte what kustomize printed', () => {
  const differing: string[] = [];
  for (const name of cases) {
    const dir = join(corpus, name);
    const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseSpec;
    if (spec.expectError || knownFailures[name]) continue;
    const result = buildKustomization(join(dir, spec.build ?? 'input'), { fs: localFs });
    if (!result.ok) continue;
    if (stringifyYamlStream(result.value.objects.map((o) => o.object)) !== readFileSync(join(dir, 'expected.yaml'), 'utf8')) differing.push(name);
  }
  assert.deepEqual(differing, [], 'these cases print the same objects as kustomize, formatted differently');
});

test('every known failure is a real case and is listed in docs/conformance.md', () => {
  const doc = readFileSync(conformanceDoc, 'utf8');
  for (const name of Object.keys(knownFailures)) {
    assert.ok(cases.includes(name), `${name} is not a case of the corpus`);
    assert.ok(doc.includes(`\`${name}\``), `docs/conformance.md does not list the known failure ${name}`);
  }
});

test('at least 95% of the corpus passes', () => {
  const passing = cases.length - Object.keys(knownFailures).length;
  assert.ok(passing / cases.length >= 0.95, `${passing} of ${cases.length} cases pass`);
});
