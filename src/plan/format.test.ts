import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlotillaError } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';
import { lineDiff } from './field-lines.js';
import { planToJson } from './format-json.js';
import { formatPlanMarkdown } from './format-markdown.js';
import { formatPlanText } from './format-text.js';
import { buildPlan } from './plan.js';
import type { FleetRender, Plan } from './types.js';

const cm = (name: string, data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'apps' }, data });
const secret = (value: string): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'apps' }, data: { password: value } });

function samplePlan(clusters = ['dev', 'prod-a', 'prod-b']): Plan {
  const base: FleetRender = {
    revision: 'abc1234',
    failures: [],
    targets: clusters.map((cluster) => ({ cluster, release: 'app', objects: [cm('settings', { level: 'info', 'app.conf': 'a=1\nb=2\nc=3\n' }), secret('aHVudGVyMg==')] })),
  };
  const head: FleetRender = {
    revision: 'working tree',
    failures: [{ cluster: 'stage', release: 'app', issues: [new FlotillaError('RENDER_RESOURCE_NOT_FOUND', 'apps/x.yaml: no such file')] }],
    targets: clusters.map((cluster) => ({
      cluster,
      release: 'app',
      objects: [cm('settings', { level: cluster === 'dev' ? 'debug' : 'warn', 'app.conf': 'a=1\nb=5\nc=3\n' }), secret('c3dvcmRmaXNo'), cm('new', { k: 'v' })],
      guards: cluster === 'dev' ? [{ guard: 'identity', object: 'ConfigMap/apps/x', message: 'label cluster is prod-a | not dev' }] : [],
    })),
  };
  return buildPlan(base, head);
}

test('the JSON document has the shape of SPEC §8 and never a Secret value', () => {
  const json = planToJson(samplePlan()) as { summary: unknown; targets: Record<string, unknown>[]; errors: Record<string, unknown>[] };
  assert.deepEqual(json.summary, { clusters: 3, objects: 9, blocked: 1, errors: 1 });
  const dev = json.targets[0]!;
  assert.deepEqual(Object.keys(dev), ['cluster', 'release', 'selection', 'changes', 'guards']);
  assert.equal(dev.cluster, 'dev');
  assert.equal(dev.selection, 'unchanged');
  assert.deepEqual(dev.guards, [{ guard: 'identity', object: 'ConfigMap/apps/x', message: 'label cluster is prod-a | not dev' }]);
  const changes = dev.changes as { action: string; object: string; fields: unknown[] }[];
  assert.deepEqual(changes.map((c) => `${c.action} ${c.object}`), ['change ConfigMap/apps/settings', 'change Secret/apps/db', 'add ConfigMap/apps/new']);
  assert.deepEqual(changes[1]!.fields, [{ path: '/data/password', action: 'change', masked: true }]);
  assert.equal(json.errors[0]!.code, 'RENDER_RESOURCE_NOT_FOUND');
  assert.equal(json.errors[0]!.revision, 'head');
  const text = JSON.stringify(json);
  assert.ok(!text.includes('aHVudGVyMg==') && !text.includes('c3dvcmRmaXNo'));
});

test('the text output shows field diffs, masked secrets, verdicts, failures and the summary last', () => {
  const text = formatPlanText(samplePlan());
  assert.match(text, /^Plan: base abc1234 → head working tree\n/);
  assert.match(text, /dev · app\n  ~ ConfigMap\/apps\/settings\n      ~ \/data\/level: "info" → "debug"\n/);
  assert.match(text, /      ~ \/data\/app\.conf:\n            a=1\n          - b=2\n          \+ b=5\n            c=3\n/);
  assert.match(text, /~ \/data\/password: \(secret value changed\)/);
  assert.match(text, /\+ ConfigMap\/apps\/new {2}\(5 fields\)/);
  assert.match(text, /✗ blocked by guard identity \(ConfigMap\/apps\/x\): label cluster is prod-a/);
  assert.match(text, /stage · app at head working tree: \[RENDER_RESOURCE_NOT_FOUND\] apps\/x\.yaml: no such file/);
  assert.ok(text.trimEnd().endsWith('9 objects change in 3 clusters; 1 target blocked by a guard; 1 target failed to render'));
  assert.ok(!text.includes('aHVudGVyMg==') && !text.includes('hunter2'));
});

test('the markdown comment has the summary, a table per cluster, identical clusters grouped, details per object', () => {
  const md = formatPlanMarkdown(samplePlan());
  assert.match(md, /^### Flotilla plan\n\n\*\*9 objects change in 3 clusters; 1 target blocked by a guard; 1 target failed to render\*\*\n/);
  assert.match(md, /#### `dev`\n\n\| release \| selection \| add \| change \| remove \| guards \|\n\|---\|---\|---:\|---:\|---:\|---\|\n\| app \| unchanged \| 1 \| 2 \| 0 \| ⛔ identity \|/);
  assert.match(md, /#### `prod-a`, `prod-b` \(2 clusters, same plan\)/);
  // A pipe in a message does not break the quote line, and each object is collapsible.
  assert.match(md, /blocked by guard \*\*identity\*\* \(`ConfigMap\/apps\/x`\): label cluster is prod-a \| not dev/);
  assert.equal(md.match(/<details>/g)!.length, 6);
  assert.match(md, /<summary><code>~ ConfigMap\/apps\/settings<\/code> · app · change, 2 fields<\/summary>\n\n```diff\n@@ \/data\/level @@\n- "info"\n\+ "debug"\n/);
  assert.match(md, /\+ \/data\/k: "v"/);
  assert.match(md, /\(secret value changed\)/);
  assert.match(md, /#### ❌ Failed to render \(not planned\)\n\n- `stage` · `app` at head `working tree`: \*\*RENDER_RESOURCE_NOT_FOUND\*\*/);
  assert.ok(!md.includes('aHVudGVyMg=='));
});

test('a huge fleet gives a comment under the size limit that says what it left out', () => {
  const clusters = Array.from({ length: 400 }, (_, i) => `c${String(i).padStart(3, '0')}`);
  const base: FleetRender = { revision: 'b', failures: [], targets: clusters.map((cluster) => ({ cluster, release: 'app', objects: [cm('settings', { level: 'info' })] })) };
  // Every cluster's change differs (its own name), so nothing can be grouped.
  const head: FleetRender = { revision: 'h', failures: [], targets: clusters.map((cluster) => ({ cluster, release: 'app', objects: [cm('settings', { level: cluster + 'x'.repeat(200) })] })) };
  const md = formatPlanMarkdown(buildPlan(base, head), { maxLength: 20000 });
  assert.ok(md.length <= 20000, `${md.length}`);
  assert.match(md, /400 objects change in 400 clusters/);
  assert.match(md, /> Left out to keep this comment under GitHub's size limit: .*\d+ more sections\. Run `flotilla plan` to see everything\./);
  // Identical plans collapse into one section that names a few clusters and counts the rest.
  const same: FleetRender = { revision: 'h', failures: [], targets: clusters.map((cluster) => ({ cluster, release: 'app', objects: [cm('settings', { level: 'debug' })] })) };
  const grouped = formatPlanMarkdown(buildPlan(base, same));
  assert.match(grouped, /#### `c000`, `c001`, .*`c011` and 388 more \(400 clusters, same plan\)/);
  assert.equal(grouped.match(/<details>/g)!.length, 1);
});

test('markdown fences outgrow backticks in values, and HTML in names is escaped', () => {
  const base: FleetRender = { revision: 'b', failures: [], targets: [{ cluster: 'a', release: '<b>r</b>', objects: [cm('x', { s: 'plain' })] }] };
  const head: FleetRender = { revision: 'h', failures: [], targets: [{ cluster: 'a', release: '<b>r</b>', objects: [cm('x', { s: '```\nescape\n```' })] }] };
  const md = formatPlanMarkdown(buildPlan(base, head));
  assert.match(md, /````diff\n/);
  assert.ok(!md.includes('<b>r</b>'));
  assert.match(md, /&lt;b&gt;r&lt;\/b&gt;/);
});

test('an empty plan says so', () => {
  const same: FleetRender = { revision: 'b', failures: [], targets: [{ cluster: 'a', release: 'r', objects: [cm('x', { a: '1' })] }] };
  const plan = buildPlan(same, { ...same, revision: 'h' });
  assert.match(formatPlanText(plan), /No changes.*\n\n0 objects change in 0 clusters\n$/);
  assert.match(formatPlanMarkdown(plan), /No changes/);
  assert.deepEqual(planToJson(plan).targets, []);
});

test('a line diff keeps three lines of context around each change', () => {
  const a = Array.from({ length: 20 }, (_, i) => `line ${i}`);
  const b = [...a];
  b[10] = 'changed';
  const lines = lineDiff(a, b).map((l) => `${l.sign}${l.text}`);
  assert.deepEqual(lines, ['  …', ' line 7', ' line 8', ' line 9', '-line 10', '+changed', ' line 11', ' line 12', ' line 13', ' …'].map((l) => (l === '  …' ? ' …' : l)));
});
