// The hub's published operations files stay in step with the code: docs/hub.md's route table with
// the route table the server registers, and the alert rules and dashboard with the metric names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { hubRoutes } from '../../src/api/index.js';
import { metricNames } from '../../src/metrics/index.js';

const root = new URL('../..', import.meta.url).pathname;

function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\bflotilla_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, ''));
}

test('docs/hub.md lists every route with the role the server enforces', () => {
  const documented = new Map<string, string>();
  for (const line of readFileSync(`${root}docs/hub.md`, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4) continue;
    for (const m of cells[1]!.matchAll(/`(GET|POST) ([^`]+)`/g)) documented.set(`${m[1]} ${m[2]}`, cells[2]!);
  }
  for (const route of hubRoutes) assert.equal(documented.get(`${route.method} ${route.url}`), route.access, `${route.method} ${route.url}`);
  const extra = [...documented.keys()].filter((k) => !hubRoutes.some((r) => `${r.method} ${r.url}` === k));
  assert.deepEqual(extra, ['GET /', 'GET /assets/*'], 'only the dashboard files are served outside the route table');
});

test('the alert rules cover out-of-sync for 5 minutes, drift, guard blocks and clusters down, with known metrics', () => {
  const rules = (parse(readFileSync(`${root}docs/alerts/flotilla-rules.yaml`, 'utf8')) as { groups: { rules: { alert: string; expr: string; for?: string; labels: { severity: string }; annotations: { summary: string } }[] }[] }).groups.flatMap((g) => g.rules);
  for (const rule of rules) {
    assert.ok(rule.alert && rule.expr && rule.labels.severity && rule.annotations.summary, rule.alert);
    for (const name of metricsIn(rule.expr)) assert.ok((metricNames as readonly string[]).includes(name), `${rule.alert}: ${name}`);
  }
  const byName = new Map(rules.map((r) => [r.alert, r]));
  assert.equal(byName.get('FlotillaTargetOutOfSync')?.for, '5m');
  assert.match(byName.get('FlotillaTargetOutOfSync')!.expr, /flotilla_target_info\{sync_status!="Synced"\}/);
  assert.match(byName.get('FlotillaDriftDetected')!.expr, /flotilla_drift_detected_total/);
  assert.match(byName.get('FlotillaGuardBlocked')!.expr, /flotilla_guard_blocked_total/);
  assert.match(byName.get('FlotillaClusterDown')!.expr, /flotilla_cluster_up == 0/);
});

test('the Grafana dashboard is valid JSON whose queries use the metric names', () => {
  const dashboard = JSON.parse(readFileSync(`${root}docs/grafana/flotilla-dashboard.json`, 'utf8')) as { uid: string; panels: { title: string; targets: { expr: string }[] }[]; templating: { list: { name: string }[] } };
  assert.equal(dashboard.uid, 'flotilla-fleet');
  assert.deepEqual(dashboard.templating.list.map((v) => v.name), ['datasource', 'cluster', 'release']);
  const used = new Set<string>();
  for (const panel of dashboard.panels) {
    assert.ok(panel.targets.length > 0, panel.title);
    for (const t of panel.targets) for (const name of metricsIn(t.expr)) used.add(name);
  }
  for (const name of used) assert.ok((metricNames as readonly string[]).includes(name), name);
  assert.deepEqual([...used].sort(), [...metricNames].sort(), 'every metric has a panel');
});
