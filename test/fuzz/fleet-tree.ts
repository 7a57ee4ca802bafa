// Arbitraries for fleet repositories: the example fleet (examples/fleet) with its fleet file and
// cluster records edited (hostile release paths, globs, templates, selectors, substitution
// values, durations), mutated (wrong types, unknown fields), broken as text, extended with
// duplicate or extra records, and given symbolic links (a release path escaping the root, a
// directory loop under the clusters glob) and `${…}` expressions for post-render substitution.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describeTree, type Tree } from './kustomize-tree.js';
import { anyString, applyMutations, applyTextMutations, dnsName, encoding, jsonish, labelKey, labelValue, longString, mutations, textMutations, toText } from './values.js';

const example = new URL('../../examples/fleet/', import.meta.url).pathname;

function readTree(dir: string, out: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) readTree(path, out);
    else out[relative(example, path)] = readFileSync(path, 'utf8');
  }
  return out;
}

/** exampleFiles are the example fleet's files, relative to its root. */
export const exampleFiles = readTree(example);

const clusterFiles = Object.keys(exampleFiles).filter((f) => /^clusters\/[^/]+\/cluster\.yaml$/.test(f)).sort();

/** fleetRoot is where generated fleets live in memory. */
export const fleetRoot = '/fleet';

const template = fc.constantFrom('{{cluster.name}}', '{{cluster.labels.env}}', '{{cluster.labels.region}}', '{{cluster.identity.REGION}}', '{{release.name}}', '{{cluster.labels.nope}}', '{{cluster.identity.NOPE}}', '{{ cluster.name }}', '{{cluster}}', '{{', '}}', '{{cluster.name', '{{release.path}}');

const releasePath = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('clusters/{{cluster.name}}', 'apps/web/overlays/{{cluster.labels.env}}', 'base', 'apps/web/base', 'environments/dev') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('..', '../outside', '/etc', '/fleet/base', 'base/../..', 'clusters/{{cluster.name}}/..', 'escape', 'escape/app', 'loop', 'clusters/{{cluster.labels.env}}', '', '.', './base', 'base/', 'clusters/../base', 'flotilla.yaml', 'missing/dir'),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('', 'apps/', '../'), template, fc.constantFrom('', '/x', '/..')).map(([a, b, c]) => a + b + c) },
  { weight: 1, arbitrary: fc.oneof(anyString, longString) },
);

const clustersGlob = fc.oneof(
  { weight: 4, arbitrary: fc.constant('clusters/*/cluster.yaml') },
  { weight: 2, arbitrary: fc.constantFrom('clusters/**/cluster.yaml', '**/cluster.yaml', '**', 'clusters/*', 'clusters/[a-d]*/cluster.yaml', 'clusters/[!p]*/cluster.yaml', 'clusters/?ev-*/cluster.yaml', '../clusters/*/cluster.yaml', '/clusters/*', 'clusters//x', 'clusters/[/cluster.yaml', '**/**/**/*.yaml', 'clusters/*a*a*a*a*a*a*a*a*b/cluster.yaml', '*') },
  { weight: 1, arbitrary: anyString },
);

const substitution = fc.oneof(
  fc.constantFrom('${REGION}', '${CLUSTER_NAME}', '${LOG_LEVEL:=debug}', '${NOPE}', '${NOPE:-fallback}', '$${LITERAL}', '${#REGION}', '${REGION^^}', '${REGION:2:3}', '${REGION#*-}', '${REGION%%-*}', '${REGION//e/E}', '${REGION/#eu/EU}', '${', '${}', '${1BAD}', '${REGION:x}', '${REGION#*a*a*a*a*a*a*b}', '${REGION//*a*a*a*a*b/x}', '${BIG##*a*a*a*b}'),
  anyString,
);

const expression = fc.record({
  key: fc.oneof(labelKey, fc.constantFrom('app', 'env')),
  operator: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist') }, { weight: 1, arbitrary: anyString }),
  values: fc.array(labelValue, { maxLength: 3 }),
});

const selector = fc.oneof(
  fc.constant({}),
  fc.record({ matchLabels: fc.dictionary(labelKey, labelValue, { maxKeys: 2 }) }),
  fc.record({ matchExpressions: fc.array(expression, { maxLength: 2 }) }),
  jsonish,
);

const release = fc.record(
  {
    name: fc.oneof(fc.constantFrom('cluster-config', 'web', 'extra'), anyString),
    path: releasePath,
    targets: fc.record({ selector, clusters: fc.array(fc.oneof(fc.constantFrom('dev-eu-west', 'prod-us-east', 'nope'), anyString), { maxLength: 2 }), exclude: fc.array(fc.constantFrom('staging-eu-west', 'nope'), { maxLength: 1 }) }, { requiredKeys: [] }),
    dependsOn: fc.array(fc.constantFrom('cluster-config', 'web', 'extra', 'nope'), { maxLength: 2 }),
    namespace: fc.oneof(dnsName, anyString),
    substitute: fc.dictionary(fc.oneof(fc.constantFrom('LOG_LEVEL', 'BIG', 'REGION', 'CLUSTER_NAME'), anyString), fc.oneof(substitution, template, longString), { maxKeys: 3 }),
    prune: fc.boolean(),
    wait: fc.boolean(),
    timeout: fc.oneof(fc.constantFrom('5m', '1h30m', '0s', '500ms', 'forever', '-1s', '99999999h'), anyString),
    selfHeal: fc.boolean(),
    helm: fc.record({ chart: fc.constantFrom('charts/web', 'https://example.com/c.tgz', 'oci://x/y'), valuesFiles: fc.array(releasePath, { maxLength: 2 }) }),
  },
  { requiredKeys: ['name'] },
);

/** FleetEdit is one targeted change of the example fleet file. */
type FleetEdit =
  | { at: 'path'; release: number; value: string }
  | { at: 'clusters'; value: string }
  | { at: 'release'; value: unknown }
  | { at: 'substitute'; release: number; key: string; value: string }
  | { at: 'waves'; value: unknown }
  | { at: 'guards'; value: unknown };

const fleetEdit: fc.Arbitrary<FleetEdit> = fc.oneof(
  fc.record({ at: fc.constant('path' as const), release: fc.nat(1), value: releasePath }),
  fc.record({ at: fc.constant('clusters' as const), value: clustersGlob }),
  fc.record({ at: fc.constant('release' as const), value: release }),
  fc.record({ at: fc.constant('substitute' as const), release: fc.nat(1), key: fc.constantFrom('LOG_LEVEL', 'ENVIRONMENT_LABEL', 'BIG'), value: fc.oneof(substitution, template, longString) }),
  fc.record({ at: fc.constant('waves' as const), value: fc.array(fc.record({ name: fc.oneof(dnsName, anyString), selector, maxParallel: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constantFrom('50%', '0%', '150%', 'x%')), soak: fc.constantFrom('2m', 'x'), approval: fc.constantFrom('manual', 'auto') }, { requiredKeys: ['name', 'selector'] }), { maxLength: 3 }) }),
  fc.record({ at: fc.constant('guards' as const), value: fc.array(fc.record({ name: fc.oneof(dnsName, anyString), builtin: fc.constantFrom('identity', 'other'), clusters: selector, denyObjects: selector }, { requiredKeys: ['name'] }), { maxLength: 2 }) }),
);

function applyEdit(fleet: Record<string, unknown>, edit: FleetEdit): void {
  const spec = (fleet.spec ??= {}) as Record<string, unknown>;
  const releases = Array.isArray(spec.releases) ? (spec.releases as Record<string, unknown>[]) : [];
  switch (edit.at) {
    case 'path':
      if (releases[edit.release]) releases[edit.release]!.path = edit.value;
      break;
    case 'clusters':
      spec.clusters = edit.value;
      break;
    case 'release':
      spec.releases = [...releases, edit.value];
      break;
    case 'substitute': {
      const r = releases[edit.release];
      if (r) r.substitute = { ...(r.substitute as object), [edit.key]: edit.value };
      break;
    }
    case 'waves':
      spec.rollout = { waves: edit.value };
      break;
    case 'guards':
      spec.guards = edit.value;
      break;
  }
}

/** sometimes is the value one time in `oneIn`, else undefined. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary });
}

/** ClusterEdit changes one cluster record. */
const clusterEdit = fc.record({
  record: fc.nat(clusterFiles.length - 1),
  labels: sometimes(fc.dictionary(labelKey, labelValue, { maxKeys: 3 }), 3),
  identity: sometimes(fc.dictionary(fc.oneof(fc.constantFrom('REGION', 'BIG', 'CLUSTER_NAME', 'ENVIRONMENT'), anyString), fc.oneof(fc.constantFrom('eu-west-1', 'a'.repeat(3000)), anyString, longString), { maxKeys: 3 }), 3),
  name: sometimes(fc.oneof(fc.constantFrom('dev-eu-west', 'prod-eu-west', 'new-cluster'), anyString), 6),
  mutations,
  style: encoding,
  text: textMutations,
});

const rawBytes = fc.oneof(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(new Uint8Array([0xff, 0xfe, 0x41]), new Uint8Array([0xef, 0xbb, 0xbf, 0x00]), new Uint8Array([0xc0, 0xaf])));

/** fleetTree is a generated fleet repository, ready for memoryFs. */
export const fleetTree: fc.Arbitrary<Tree> = fc
  .record({
    edits: fc.array(fleetEdit, { maxLength: 2 }),
    fleetMutations: mutations,
    fleetStyle: encoding,
    fleetText: textMutations,
    clusters: fc.array(clusterEdit, { maxLength: 2 }),
    extraRecord: sometimes(fc.oneof(fc.constantFrom('clusters/dup/cluster.yaml', 'clusters/new/cluster.yaml', 'clusters/deep/a/b/cluster.yaml'), anyString.map((s) => `clusters/${s}/cluster.yaml`)), 6),
    rawFile: sometimes(fc.record({ which: fc.constantFrom('flotilla.yaml', ...clusterFiles), bytes: rawBytes }), 15),
    substituted: sometimes(fc.dictionary(fc.constantFrom('a', 'b', 'c'), substitution, { minKeys: 1, maxKeys: 3 }), 2),
    links: fc.record({ escape: fc.boolean(), loop: fc.boolean(), recordOut: sometimes(fc.constant(true), 6) }),
  })
  .map((g) => {
    const files: Tree['files'] = {};
    for (const [path, text] of Object.entries(exampleFiles)) files[`${fleetRoot}/${path}`] = text;
    const fleet = parse(exampleFiles['flotilla.yaml']!) as Record<string, unknown>;
    for (const edit of g.edits) applyEdit(fleet, edit);
    files[`${fleetRoot}/flotilla.yaml`] = applyTextMutations(toText([applyMutations(fleet, g.fleetMutations)], g.fleetStyle), g.fleetText);
    for (const edit of g.clusters) {
      const file = clusterFiles[edit.record]!;
      const record = parse(exampleFiles[file]!) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
      if (edit.labels) record.metadata.labels = edit.labels;
      if (edit.identity) record.spec.identity = edit.identity;
      if (edit.name !== undefined) record.metadata.name = edit.name;
      files[`${fleetRoot}/${file}`] = applyTextMutations(toText([applyMutations(record, edit.mutations)], edit.style), edit.text);
    }
    if (g.extraRecord) files[`${fleetRoot}/${g.extraRecord}`] = exampleFiles[clusterFiles[0]!]!;
    if (g.rawFile) files[`${fleetRoot}/${g.rawFile.which}`] = g.rawFile.bytes;
    if (g.substituted) {
      files[`${fleetRoot}/base/substituted.yaml`] = toText([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'substituted' }, data: g.substituted }], 'yaml');
      files[`${fleetRoot}/base/kustomization.yaml`] = exampleFiles['base/kustomization.yaml']!.replace('resources:\n', 'resources:\n- substituted.yaml\n');
    }
    if (g.links.escape) {
      files['/outside/app/kustomization.yaml'] = 'resources:\n- secret.yaml\n';
      files['/outside/app/secret.yaml'] = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: stolen\n';
      files[`${fleetRoot}/escape`] = { symlink: '/outside' };
    }
    if (g.links.loop) files[`${fleetRoot}/clusters/dev-eu-west/loop`] = { symlink: `${fleetRoot}/clusters` };
    if (g.links.recordOut) {
      files['/outside/cluster.yaml'] = exampleFiles[clusterFiles[0]!]!.replace(/name: dev-eu-west/g, 'name: stolen');
      files[`${fleetRoot}/clusters/stolen/cluster.yaml`] = { symlink: '/outside/cluster.yaml' };
    }
    return { files, dir: fleetRoot, root: fleetRoot };
  });

/** describeFleet prints the files of a generated fleet that differ from the example fleet. */
export function describeFleet(tree: Tree): string {
  const changed: Tree['files'] = {};
  for (const [path, content] of Object.entries(tree.files)) {
    const rel = path.startsWith(`${fleetRoot}/`) ? path.slice(fleetRoot.length + 1) : undefined;
    if (rel === undefined || exampleFiles[rel] !== content) changed[path] = content;
  }
  return describeTree({ ...tree, files: changed }).replace(/^build /, 'fleet (unchanged example files left out) ');
}
