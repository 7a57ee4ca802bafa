import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryFs } from '../render/kustomize/memory-fs.js';
import type { Issue, Result } from '../core/index.js';
import { loadFleet, parseDuration } from './load.js';
import type { Fleet } from './types.js';

const header = 'apiVersion: flotilla.dev/v1alpha1\nkind: Fleet\nmetadata: {name: acme}\n';

const validReleases = `spec:
  releases:
  - name: config
    path: clusters/{{cluster.name}}
    targets: {selector: {}}
  - name: web
    path: apps/web/{{cluster.labels.env}}
    targets:
      selector: {matchLabels: {env: prod}}
    dependsOn: [config]
    timeout: 1m30s
`;

function cluster(name: string, labels: Record<string, string> = {}, spec = ''): string {
  return `apiVersion: flotilla.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${name}\n  labels: ${JSON.stringify(labels)}\n${spec}`;
}

const defaultClusters = {
  'clusters/b-dev/cluster.yaml': cluster('b-dev', { env: 'dev' }),
  'clusters/a-prod/cluster.yaml': cluster('a-prod', { env: 'prod', region: 'eu-west' }, 'spec:\n  identity: {REGION: eu-west-1}\n'),
};

function load(fleetYaml: string, clusters: Record<string, string> = defaultClusters): Result<Fleet> {
  const files: Record<string, string> = { '/repo/flotilla.yaml': fleetYaml };
  for (const [path, text] of Object.entries(clusters)) files[`/repo/${path}`] = text;
  return loadFleet(memoryFs(files), '/repo');
}

function issues(result: Result<Fleet>): Issue[] {
  assert.equal(result.ok, false, 'expected the fleet to be rejected');
  return (result as { issues: Issue[] }).issues;
}

function only(result: Result<Fleet>): Issue {
  const list = issues(result);
  assert.equal(list.length, 1, `expected one issue, got:\n${list.map((i) => i.message).join('\n')}`);
  return list[0]!;
}

test('a valid fleet loads with its defaults, clusters sorted by name and the identity guard added', () => {
  const result = load(header + validReleases);
  assert.ok(result.ok, result.ok ? '' : result.issues.map((i) => i.message).join('\n'));
  const fleet = result.value;
  assert.equal(fleet.name, 'acme');
  assert.equal(fleet.clustersGlob, 'clusters/*/cluster.yaml');
  assert.deepEqual(fleet.clusters.map((c) => c.name), ['a-prod', 'b-dev']);
  assert.equal(fleet.clusters[0]!.file, 'clusters/a-prod/cluster.yaml');
  assert.deepEqual(fleet.clusters[0]!.identity, { REGION: 'eu-west-1' });
  assert.deepEqual(fleet.clusters[0]!.connection, { context: 'a-prod', mode: 'push' });
  const [config, web] = fleet.releases;
  assert.equal(config!.prune, true);
  assert.equal(config!.selfHeal, true);
  assert.equal(config!.wait, false);
  assert.equal(config!.timeout, 300_000);
  assert.equal(web!.timeout, 90_000);
  assert.deepEqual(web!.dependsOn, ['config']);
  assert.deepEqual(fleet.guards, [{ name: 'identity', builtin: 'identity' }]);
});

test('parseDuration reads Go-style durations', () => {
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('1.5s'), 1500);
});

test('an unknown field names the file, line, field path, the allowed fields and a likely spelling', () => {
  const issue = only(load(header + 'spec:\n  releases:\n  - name: config\n    pth: clusters/x\n    targets: {selector: {}}\n'));
  assert.equal(issue.code, 'FLEET_INVALID');
  assert.equal(issue.file, 'flotilla.yaml');
  assert.equal(issue.field, 'spec.releases[0].pth');
  assert.match(issue.message, /^flotilla\.yaml:7: spec\.releases\[0\]\.pth: unknown field "pth" \(did you mean "path"\?\); allowed here: name, path, helm, repo, targets,/);
});

test('a field of the wrong type says what type is allowed and what was found', () => {
  const issue = only(load(header + 'spec:\n  releases:\n  - name: config\n    path: x\n    prune: "yes"\n    targets: {selector: {}}\n'));
  assert.equal(issue.field, 'spec.releases[0].prune');
  assert.match(issue.message, /flotilla\.yaml:8: spec\.releases\[0\]\.prune: must be true or false, not the string "yes"/);
});

test('a value outside an enumeration lists the allowed values', () => {
  const issue = only(load(header + 'spec:\n  releases:\n  - name: config\n    path: x\n    targets:\n      selector:\n        matchExpressions: [{key: env, operator: in, values: [prod]}]\n'));
  assert.equal(issue.field, 'spec.releases[0].targets.selector.matchExpressions[0].operator');
  assert.match(issue.message, /must be one of "In", "NotIn", "Exists", "DoesNotExist", not the string "in" \(did you mean "In"\?\)/);
});

test('a missing required field, a wrong kind and a bad name pattern are all reported', () => {
  const list = issues(load('apiVersion: flotilla.dev/v1alpha1\nkind: Fleets\nmetadata: {name: Acme_Fleet}\nspec:\n  releases:\n  - path: x\n    targets: {selector: {}}\n'));
  const messages = list.map((i) => i.message).join('\n');
  assert.match(messages, /flotilla\.yaml:2: kind: must be "Fleet", not the string "Fleets"/);
  assert.match(messages, /metadata\.name: must be a DNS label/);
  assert.match(messages, /spec\.releases\[0\]: the field "name" is required/);
  assert.equal(list.length, 3);
});

test('bad selectors: In without values, Exists with values and an invalid label key', () => {
  const list = issues(
    load(
      header +
        'spec:\n  releases:\n  - name: config\n    path: x\n    targets:\n      selector:\n        matchLabels: {"bad key": x}\n        matchExpressions:\n        - {key: env, operator: In, values: []}\n        - {key: tier, operator: Exists, values: [a]}\n',
    ),
  );
  assert.ok(list.every((i) => i.code === 'FLEET_SELECTOR_INVALID'));
  assert.deepEqual(
    list.map((i) => i.field),
    ['spec.releases[0].targets.selector.matchLabels["bad key"]', 'spec.releases[0].targets.selector.matchExpressions[0].values', 'spec.releases[0].targets.selector.matchExpressions[1].values'],
  );
  assert.match(list[1]!.message, /operator In needs at least one value/);
  assert.match(list[2]!.message, /operator Exists takes no values/);
});

test('duplicate release names and duplicate cluster names (naming both files)', () => {
  const releases = issues(load(header + 'spec:\n  releases:\n  - {name: config, path: x, targets: {selector: {}}}\n  - {name: config, path: y, targets: {selector: {}}}\n'));
  assert.equal(releases[0]!.code, 'FLEET_DUPLICATE_NAME');
  assert.match(releases[0]!.message, /spec\.releases\[1\]\.name: release "config" is already defined at index 0/);

  const clusters = issues(load(header + validReleases, { ...defaultClusters, 'clusters/copy/cluster.yaml': cluster('a-prod', { env: 'prod' }) }));
  assert.equal(clusters.length, 1);
  assert.equal(clusters[0]!.code, 'FLEET_DUPLICATE_NAME');
  assert.match(clusters[0]!.message, /^clusters\/copy\/cluster\.yaml:4: metadata\.name: cluster "a-prod" is already defined in clusters\/a-prod\/cluster\.yaml/);
});

test('a dangling dependsOn and unknown clusters in targets name what exists', () => {
  const list = issues(
    load(header + 'spec:\n  releases:\n  - {name: config, path: x, targets: {selector: {}}}\n  - name: web\n    path: y\n    dependsOn: [confg]\n    targets: {clusters: [a-prod, c-prod], exclude: [nobody]}\n'),
  );
  assert.ok(list.every((i) => i.code === 'FLEET_UNKNOWN_REFERENCE'));
  const messages = list.map((i) => i.message);
  assert.ok(messages.some((m) => /spec\.releases\[1\]\.dependsOn\[0\]: no release is named "confg" \(did you mean "config"\?\); releases: config, web/.test(m)), messages.join('\n'));
  assert.ok(messages.some((m) => /targets\.clusters\[1\]: no cluster is named "c-prod" \(did you mean "a-prod"\?\); clusters: a-prod, b-dev/.test(m)));
  assert.ok(messages.some((m) => /targets\.exclude\[0\]: no cluster is named "nobody"/.test(m)));
});

test('a dependency cycle is reported once with its path', () => {
  const list = issues(
    load(
      header +
        'spec:\n  releases:\n  - {name: a, path: x, targets: {selector: {}}, dependsOn: [b]}\n  - {name: b, path: x, targets: {selector: {}}, dependsOn: [c]}\n  - {name: c, path: x, targets: {selector: {}}, dependsOn: [a]}\n  - {name: d, path: x, targets: {selector: {}}, dependsOn: [d]}\n',
    ),
  );
  assert.ok(list.every((i) => i.code === 'FLEET_DEPENDENCY_CYCLE'));
  assert.equal(list.length, 2);
  assert.ok(list.some((i) => /dependsOn forms a cycle: a → b → c → a/.test(i.message)));
  assert.ok(list.some((i) => /release "d" depends on itself/.test(i.message)));
});

test('release paths and values files that leave the repository are rejected', () => {
  const list = issues(
    load(
      header +
        'spec:\n  releases:\n  - {name: a, path: ../other-repo, targets: {selector: {}}}\n  - {name: b, path: /etc, targets: {selector: {}}}\n  - {name: c, path: "apps/{{cluster.name}}/../../..", targets: {selector: {}}}\n  - name: d\n    helm: {chart: charts/x, valuesFiles: [../secrets.yaml]}\n    targets: {selector: {}}\n',
    ),
  );
  assert.ok(list.every((i) => i.code === 'FLEET_PATH_OUTSIDE_REPOSITORY'));
  assert.deepEqual(
    list.map((i) => i.field),
    ['spec.releases[0].path', 'spec.releases[1].path', 'spec.releases[2].path', 'spec.releases[3].helm.valuesFiles[0]'],
  );
});

test('templates naming unknown keys, with functions, or in fields that are not templated', () => {
  const list = issues(
    load(
      header +
        'spec:\n  releases:\n  - name: a\n    path: clusters/{{cluster.label.env}}\n    targets: {selector: {}}\n    substitute: {X: "{{ cluster.name | upper }}", Y: "{{cluster.name"}\n    ignore: [{name: "{{cluster.name}}", paths: [/spec/replicas]}]\n',
    ),
  );
  assert.ok(list.every((i) => i.code === 'FLEET_TEMPLATE_INVALID'));
  const byField = Object.fromEntries(list.map((i) => [i.field, i.message]));
  assert.match(byField['spec.releases[0].path']!, /unknown template key "cluster\.label\.env"; allowed: \{\{cluster\.name\}\}, \{\{cluster\.labels\.KEY\}\}/);
  assert.match(byField['spec.releases[0].substitute.X']!, /no functions, pipes or logic/);
  assert.match(byField['spec.releases[0].substitute.Y']!, /never closes it/);
  assert.match(byField['spec.releases[0].ignore[0].name']!, /templates are not expanded in this field/);
});

test('every problem of the fleet file and the cluster records is reported at once', () => {
  const list = issues(
    load(header + 'spec:\n  releases:\n  - {name: a, path: x, targets: {selector: {}}, dependsOn: [nope]}\n  - {name: b, path: ../x, targets: {selector: {}}}\n', {
      ...defaultClusters,
      'clusters/c/cluster.yaml': cluster('c', { env: 'prod' }, 'spec:\n  conection: {context: c}\n'),
    }),
  );
  assert.deepEqual(list.map((i) => i.code).sort(), ['FLEET_CLUSTER_INVALID', 'FLEET_PATH_OUTSIDE_REPOSITORY', 'FLEET_UNKNOWN_REFERENCE']);
  const clusterIssue = list.find((i) => i.code === 'FLEET_CLUSTER_INVALID')!;
  assert.match(clusterIssue.message, /^clusters\/c\/cluster\.yaml:7: spec\.conection: unknown field "conection" \(did you mean "connection"\?\)/);
});

test('cluster records: invalid labels, identity keys that are not variable names, a CLUSTER_NAME that is not the name', () => {
  const list = issues(
    load(header + validReleases, {
      'clusters/x/cluster.yaml': cluster('x', { env: 'prod!' }, 'spec:\n  identity: {REGION: eu, "cluster-name": x, CLUSTER_NAME: y}\n'),
    }),
  );
  const messages = list.map((i) => i.message).join('\n');
  assert.match(messages, /clusters\/x\/cluster\.yaml:7: spec\.identity\.cluster-name: the key "cluster-name" is not a variable name/);
  assert.equal(list.length, 1, 'schema problems stop the record before the other checks');

  const more = issues(load(header + validReleases, { 'clusters/x/cluster.yaml': cluster('x', { env: 'prod!' }, 'spec:\n  identity: {CLUSTER_NAME: y}\n') }));
  assert.match(more.map((i) => i.message).join('\n'), /metadata\.labels\.env: "prod!" is not a valid label value/);
  assert.match(more.map((i) => i.message).join('\n'), /spec\.identity\.CLUSTER_NAME: is "y" but the cluster is named "x"/);
});

test('a release needs exactly one of path and helm, and targets that can select something', () => {
  const list = issues(
    load(header + 'spec:\n  releases:\n  - {name: a, targets: {selector: {}}}\n  - {name: b, path: x, helm: {chart: c}, targets: {selector: {}}}\n  - {name: c, path: x, targets: {}}\n'),
  );
  const messages = list.map((i) => i.message);
  assert.equal(list.length, 3, messages.join('\n'));
  assert.match(messages[0]!, /spec\.releases\[0\]: release "a" must set exactly one of path/);
  assert.match(messages[1]!, /spec\.releases\[1\]: release "b" must set exactly one of path/);
  assert.match(messages[2]!, /spec\.releases\[2\]\.targets: selects no cluster/);
});

test('guards: a denyObjects guard must select something, identity takes no selectors, substitute cannot set CLUSTER_NAME', () => {
  const list = issues(
    load(
      header +
        'spec:\n  releases:\n  - {name: a, path: x, targets: {selector: {}}, substitute: {CLUSTER_NAME: x}}\n  guards:\n  - {name: id, builtin: identity, clusters: {}}\n  - {name: everything, denyObjects: {}}\n  - {name: nothing}\n',
    ),
  );
  const messages = list.map((i) => `${i.code} ${i.message}`).join('\n');
  assert.match(messages, /FLEET_VARIABLE_CONFLICT .*substitute\.CLUSTER_NAME: CLUSTER_NAME is always the target cluster's name/);
  assert.match(messages, /FLEET_INVALID .*spec\.guards\[0\]: the built-in identity guard applies to every cluster/);
  assert.match(messages, /FLEET_SELECTOR_INVALID .*spec\.guards\[1\]\.denyObjects: an empty selector matches every object/);
  assert.match(messages, /FLEET_INVALID .*spec\.guards\[2\]: guard "nothing" must set builtin: identity or denyObjects/);
});

test('the helm block, rollout and notifications are validated by the schema', () => {
  const list = issues(
    load(
      header +
        'spec:\n  releases:\n  - name: p\n    helm: {chart: {repo: https://charts.example.com}, values: {a: 1}}\n    targets: {selector: {}}\n  rollout:\n    waves: [{name: dev, selector: {}, maxParallel: 0}, {name: prod, selector: {}, maxParallel: "150%", soak: 10 minutes}]\n    failurePolicy: retry\n  notifications:\n  - {name: n, type: slack, urlFrom: {env: X, file: y}, events: [SyncFailed, Oops]}\n',
    ),
  );
  const byField = Object.fromEntries(list.map((i) => [i.field, i.message]));
  assert.match(byField['spec.releases[0].helm.chart']!, /the field "name" is required/);
  assert.match(byField['spec.rollout.waves[0].maxParallel']!, /must be at least 1/);
  assert.match(byField['spec.rollout.waves[1].maxParallel']!, /must be a percentage from 1% to 100%/);
  assert.match(byField['spec.rollout.waves[1].soak']!, /must be a duration such as 30s, 5m or 1h30m/);
  assert.match(byField['spec.rollout.failurePolicy']!, /must be one of "halt", "rollback"/);
  assert.match(byField['spec.notifications[0].urlFrom']!, /must set exactly one of env, file/);
  assert.match(byField['spec.notifications[0].events[1]']!, /must be one of "SyncSucceeded"/);
});

test('no fleet file, and a fleet file with two documents', () => {
  const missing = loadFleet(memoryFs({ '/repo/README.md': 'hi' }), '/repo');
  assert.equal(missing.ok, false);
  assert.equal(!missing.ok && missing.issues[0]!.code, 'FLEET_NOT_FOUND');
  const two = only(load(header + validReleases + '---\n' + header + validReleases));
  assert.equal(two.code, 'FLEET_INVALID');
  assert.match(two.message, /holds 2 YAML documents/);
});

test('the clusters glob may point elsewhere and hold several records per file', () => {
  const result = load(header + 'spec:\n  clusters: fleet/*.yaml\n  releases:\n  - {name: a, path: x, targets: {selector: {}}}\n', {
    'fleet/eu.yaml': cluster('eu-1', { region: 'eu' }) + '---\n' + cluster('eu-2', { region: 'eu' }),
    'fleet/us.yaml': cluster('us-1', { region: 'us' }),
    'clusters/ignored/cluster.yaml': cluster('ignored'),
  });
  assert.ok(result.ok);
  assert.deepEqual(result.value.clusters.map((c) => `${c.name}@${c.file}`), ['eu-1@fleet/eu.yaml', 'eu-2@fleet/eu.yaml', 'us-1@fleet/us.yaml']);
  const outside = only(load(header + 'spec:\n  clusters: ../*.yaml\n  releases: []\n'));
  assert.match(outside.message, /spec\.clusters: "\.\.\/\*\.yaml" must stay inside the repository/);
});

// Found while fuzzing the fleet model (test/fuzz): a cluster record that could not be read (a FIFO,
// a device, a permission) threw out of loadFleet; a record linked from outside the repository was
// read and its text could reach messages; the size limit applied only after the whole file was read.
test('records that cannot be read, lead outside the repository or are too large are clear errors', () => {
  const base = memoryFs({
    '/r/flotilla.yaml': header + validReleases,
    '/r/clusters/a/cluster.yaml': cluster('a'),
    '/r/clusters/fifo/cluster.yaml': cluster('fifo'),
    '/r/clusters/out/cluster.yaml': { symlink: '/elsewhere/cluster.yaml' },
    '/elsewhere/cluster.yaml': cluster('stolen'),
    '/r/clusters/huge/cluster.yaml': cluster('huge') + `# ${'x'.repeat(9 * 1024 * 1024)}\n`,
  });
  const fs = {
    ...base,
    readFile(path: string) {
      if (path.includes('/fifo/')) throw Object.assign(new Error(`${path} is a FIFO, not a regular file`), { code: 'ENOTREG' });
      return base.readFile(path);
    },
  };
  const loaded = loadFleet(fs, '/r');
  assert.equal(loaded.ok, false);
  if (loaded.ok) return;
  const byCode = Object.fromEntries(loaded.issues.map((i) => [i.code, i.message]));
  assert.match(byCode.FILE_UNREADABLE!, /^clusters\/fifo\/cluster\.yaml: cannot be read: .* is a FIFO/);
  assert.match(byCode.FLEET_PATH_OUTSIDE_REPOSITORY!, /^clusters\/out\/cluster\.yaml: resolves to \/elsewhere\/cluster\.yaml, outside the repository/);
  assert.match(byCode.FILE_TOO_LARGE!, /^clusters\/huge\/cluster\.yaml: \d+ bytes is more than the 8388608-byte limit/);
});

// Found while fuzzing huge fleet files (test/fuzz): 60,000 releases chained by dependsOn took 50 s
// to load, nearly all of it in name lookups in lists and in copying the dependency path at every
// step of the cycle check. Names are looked up in sets and the walk keeps one explicit stack.
test('a long dependsOn chain loads, and a cycle at its end is still found', () => {
  const n = 3000;
  const releases = Array.from({ length: n }, (_, i) => `  - name: r${i}\n    path: apps/r${i}\n    targets: {selector: {}}\n    dependsOn: [r${i === 0 ? n - 1 : i - 1}]\n`).join('');
  const fs = memoryFs({ '/r/flotilla.yaml': `${header}spec:\n  releases:\n${releases}`, '/r/clusters/a/cluster.yaml': cluster('a') });
  const loaded = loadFleet(fs, '/r');
  assert.equal(loaded.ok, false);
  if (loaded.ok) return;
  assert.deepEqual(loaded.issues.map((i) => i.code), ['FLEET_DEPENDENCY_CYCLE']);
  assert.match(loaded.issues[0]!.message, new RegExp(`dependsOn forms a cycle: r0 → r${n - 1} → r${n - 2} → .* → r1 → r0$`));
  const acyclic = memoryFs({ '/r/flotilla.yaml': `${header}spec:\n  releases:\n${releases.replace(`dependsOn: [r${n - 1}]`, 'dependsOn: []')}`, '/r/clusters/a/cluster.yaml': cluster('a') });
  const ok = loadFleet(acyclic, '/r');
  assert.ok(ok.ok, ok.ok ? '' : ok.issues[0]!.message);
});
