// The dashboard in headless Chromium, as people use it, against the real hub (`flotilla serve`'s
// runtime) reconciling the example fleet from Git into six sandbox clusters: sign in with a token,
// read the fleet grid, see a manual kubectl edit turn a cell Drifted and a sync turn it back, read
// the cluster page's field diff, approve a waiting wave as an operator while a viewer sees no
// approve button, at desktop and phone width, with the keyboard. One fleet too large for sandboxes
// (300 clusters) is served by the hub's HTTP server over made-up state instead. Screenshots go to
// .artifacts/dashboard/ (see test/support/dashboard.ts for the set-up).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { dashboardTokens, ensureDashboardBuilt, launchChromium, screenshotPath, startDashboardHub, startExampleHub, syntheticSeed, type ExampleHub } from '../support/dashboard.js';
import { exampleClusters } from '../support/sync-fleet.js';

let browser: Browser;
let hub: ExampleHub;

before(async () => {
  await ensureDashboardBuilt();
  [hub, browser] = await Promise.all([startExampleHub(), launchChromium()]);
});

after(async () => {
  await browser?.close();
  await hub?.close();
});

// Expressions evaluated in the page (text: this file is compiled without the DOM's types).
const sidewaysScroll = 'document.documentElement.scrollWidth - document.documentElement.clientWidth';

async function signedIn(token: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(hub.url);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('table.grid[data-ready]').waitFor({ timeout: 15_000 });
  assert.deepEqual(errors, []);
  return page;
}

const cell = (page: Page, cluster: string, release: string) => page.locator(`table.grid tr:has(th a[href="#/clusters/${cluster}"]) td:has(a[href="#/clusters/${cluster}?release=${release}"])`);
const short = (commit: string) => commit.slice(0, 7);

let viewer: Page;
let operator: Page;

test('a viewer signs in with a token and the grid shows the six clusters by release, grouped by env, with totals', async () => {
  const page = await browser.newPage();
  await page.goto(hub.url);
  await page.getByLabel('Access token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'The hub does not know this token.' }).waitFor();
  await page.close();

  viewer = await signedIn(dashboardTokens.viewer);
  const rows = viewer.locator('table.grid th.grid-cluster');
  assert.deepEqual(await rows.allInnerTexts(), ['dev-eu-west', 'dev-us-east', 'staging-eu-west', 'staging-us-east', 'prod-eu-west', 'prod-us-east']);
  assert.deepEqual(
    (await viewer.locator('table.grid tr.grid-group th').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')),
    ['ENV dev · 2', 'ENV staging · 2', 'ENV production · 2'],
  );
  assert.deepEqual(await viewer.locator('table.grid thead th').allInnerTexts(), ['Cluster', 'cluster-config', 'web']);
  assert.equal(await viewer.locator('td.cell[data-state="Synced"]').count(), exampleClusters.length * 2);
  // Production still runs the first commit of web: its wave waits for approval.
  assert.match(await cell(viewer, 'prod-eu-west', 'web').innerText(), new RegExp(`Synced\\s+${short(hub.first)}\\s+Healthy`));
  assert.match(await cell(viewer, 'dev-eu-west', 'web').innerText(), new RegExp(`Synced\\s+${short(hub.second)}\\s+Healthy`));
  assert.match(await viewer.locator('button[data-total="Synced"]').innerText(), /Synced\s*12/);
  assert.match(await viewer.locator('.page-sub').first().innerText(), new RegExp(`Revision ${short(hub.second)} on main`));
  assert.equal(await viewer.getByText('Live', { exact: true }).count(), 1);
  assert.equal(await viewer.getByRole('button', { name: /^Sync (all|matching)/ }).count(), 0, 'a viewer has no sync button');
  await viewer.screenshot({ path: screenshotPath('e2e-grid-1280') });
});

test('a label selector narrows the grid, and a malformed one says why', async () => {
  const filter = viewer.getByLabel('Label selector');
  await filter.fill('env=production,region in (eu-west)');
  await viewer.getByText('1 of 6 clusters shown').waitFor();
  assert.deepEqual(await viewer.locator('table.grid th.grid-cluster').allInnerTexts(), ['prod-eu-west']);
  assert.match(viewer.url(), /selector=env%3Dproduction/);
  await filter.fill('env in (production');
  await viewer.getByText('Not a selector: unbalanced parentheses').waitFor();
  assert.equal(await filter.getAttribute('aria-invalid'), 'true');
  await filter.fill('!compliance');
  await viewer.getByText('3 of 6 clusters shown').waitFor();
  assert.deepEqual(await viewer.locator('table.grid th.grid-cluster').allInnerTexts(), ['dev-us-east', 'staging-us-east', 'prod-us-east']);
  await filter.fill('');
  await viewer.getByText('6 of 6 clusters shown').waitFor();
});

test("a manual kubectl edit turns the cell Drifted live; the cluster page shows the field; an operator's sync turns it back", async () => {
  operator = await signedIn(dashboardTokens.operator);
  // selfHeal is off for web in this fleet: the hub reports the drift and leaves it. Production's
  // overlay asks for 4 replicas; someone scales to 2 by hand.
  await hub.kubectl('prod-eu-west', ['scale', 'deployment', 'web', '-n', 'web', '--replicas=2']);
  for (const page of [viewer, operator]) await cell(page, 'prod-eu-west', 'web').and(page.locator('[data-state="Drifted"]')).waitFor({ timeout: 10_000 });
  const drifted = cell(viewer, 'prod-eu-west', 'web');
  assert.match(await drifted.innerText(), /Drifted[\s\S]*Δ 1/);
  assert.match((await drifted.locator('a').getAttribute('aria-label'))!, new RegExp(`prod-eu-west, web: Drifted, health Healthy, revision ${short(hub.first)}, 1 object drifted`));
  await viewer.locator('button[data-total="Drifted"]').waitFor();
  await viewer.screenshot({ path: screenshotPath('e2e-grid-drifted') });

  await cell(operator, 'prod-eu-west', 'web').locator('a').click();
  await operator.getByRole('heading', { name: 'prod-eu-west', level: 1 }).waitFor();
  const drift = operator.locator('.drift-item');
  await drift.waitFor();
  assert.match(await drift.innerText(), /Drifted\s+Deployment\/web\/web\s+in web/);
  const row = drift.locator('table.diff-table tbody tr');
  assert.deepEqual((await row.allInnerTexts()).map((t) => t.split(/\s+/).join(' ')), ['/spec/replicas 4 2']);
  assert.match(await operator.locator('.labels').innerText(), /env\s*production[\s\S]*compliance\s*gdpr/);
  assert.match(await operator.locator('.facts').innerText(), /CLUSTER_NAME\s*prod-eu-west[\s\S]*REGION\s*eu-west-1/);
  await operator.getByText('Matches the live cluster').waitFor();
  // The release the cell named is open: its objects with their health.
  assert.match(await operator.locator('details.objects[open]').innerText(), /^web · 3 objects[\s\S]*Healthy\s+Deployment\/web\/web/);
  await operator.evaluate('window.scrollTo(0, 0)');
  await operator.screenshot({ path: screenshotPath('e2e-cluster-drifted'), fullPage: true });

  await operator.getByRole('button', { name: 'Sync this cluster' }).click();
  await operator.getByRole('status').filter({ hasText: 'Sync queued for 2 targets.' }).waitFor();
  await operator.getByText('No drift: the live objects match what Git says.').waitFor({ timeout: 10_000 });
  assert.equal(await hub.kubectl('prod-eu-west', ['get', 'deployment', 'web', '-n', 'web', '-o', 'jsonpath={.spec.replicas}']), '4', 'production runs 4 replicas, as its overlay says');
  // The viewer's grid follows over the event stream.
  await cell(viewer, 'prod-eu-west', 'web').and(viewer.locator('[data-state="Synced"]')).waitFor({ timeout: 10_000 });
  assert.equal(await viewer.locator('table.grid td.cell[data-state="Drifted"]').count(), 0);
});

test('a viewer sees the rollout waiting for approval, and no approve, pause or abort button', async () => {
  await viewer.getByRole('link', { name: 'Rollouts' }).click();
  const production = viewer.locator('li.wave[data-wave="production"]');
  await production.waitFor();
  assert.match(await production.innerText(), /production\s+Waiting for approval/);
  assert.match(await viewer.locator('li.wave[data-wave="dev"]').innerText(), /dev\s+Complete/);
  assert.equal(await viewer.getByRole('button', { name: /Approve|Pause|Resume|Abort/ }).count(), 0);
  await viewer.screenshot({ path: screenshotPath('e2e-rollout-viewer') });
});

test('the plan page shows what promoting the waiting production clusters to the newest commit would change, field by field', async () => {
  await viewer.getByRole('link', { name: 'Plan' }).click();
  const summary = viewer.locator('.plan-summary');
  await summary.waitFor();
  assert.match(await summary.innerText(), new RegExp(`^2 objects change in 2 clusters \\(what runs → ${short(hub.second)}\\)`));
  assert.deepEqual(await viewer.locator('.plan-cluster-name').allInnerTexts(), ['prod-eu-west', 'prod-us-east']);
  assert.match(await viewer.locator('.plan-target h3').first().innerText(), /^web · rollout: waits in wave production \(waiting for approval\)$/);
  const change = viewer.locator('details.plan-cluster', { hasText: 'prod-eu-west' }).locator('.plan-changes > li');
  assert.deepEqual((await change.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()), ['~ change Deployment/web/web ~ /spec/template/spec/containers/0/image "nginx:1.27" → "nginx:1.28"']);
  await viewer.screenshot({ path: screenshotPath('e2e-plan'), fullPage: true });
  // The viewer goes back to the rollout and watches the operator's approval arrive.
  await viewer.getByRole('link', { name: 'Rollouts' }).click();
  await viewer.locator('li.wave[data-wave="production"] .badge').filter({ hasText: 'Waiting for approval' }).waitFor();
});

test('an operator approves the waiting wave: production rolls out and soaks with a countdown, the button goes, the audit log has it', async () => {
  await operator.goto(`${hub.url}/#/rollouts/web`);
  const approve = operator.getByRole('button', { name: 'Approve wave production' });
  await approve.waitFor();
  assert.equal(await operator.getByRole('button', { name: 'Pause' }).count(), 1);
  assert.equal(await operator.getByRole('button', { name: 'Abort' }).count(), 1);
  await operator.screenshot({ path: screenshotPath('e2e-rollout-operator') });
  await approve.click();
  await operator.getByRole('status').filter({ hasText: 'Approved wave production.' }).waitFor();
  assert.equal(await approve.count(), 0);
  // maxParallel 1, then a 10-minute soak: both production clusters reach the new commit and the
  // wave counts down.
  const production = operator.locator('li.wave[data-wave="production"]');
  await production.locator('.soak').waitFor({ timeout: 15_000 });
  assert.match(await production.innerText(), /production\s+Soaking[\s\S]*2\/2 healthy[\s\S]*Soak ends in\s+(10 min|9 min \d\d s)\n/);
  assert.match(await production.locator('li[data-cluster="prod-eu-west"]').innerText(), new RegExp(`Healthy\\s*${short(hub.second)}`));
  assert.equal(hub.hub.state.rollouts().find((r) => r.release === 'web')!.waves[2]!.approved, true);
  assert.equal(await hub.kubectl('prod-us-east', ['get', 'deployment', 'web', '-n', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.28');
  const audit = hub.hub.store.listAudit({ limit: 10 });
  assert.deepEqual(
    audit.map((a) => [a.actor, a.role, a.path, a.outcome]),
    [
      ['operator-user', 'operator', '/api/v1/rollouts/web/approve', 'succeeded'],
      ['operator-user', 'operator', '/api/v1/sync', 'succeeded'],
    ],
  );
  await operator.screenshot({ path: screenshotPath('e2e-rollout-soaking') });
  // The viewer's page follows over the event stream.
  await viewer.locator('li.wave[data-wave="production"] .badge').filter({ hasText: 'Soaking' }).waitFor({ timeout: 10_000 });
});

test('an admin reads the audit log; at phone width nothing scrolls sideways but the grid in its own box', async () => {
  const admin = await signedIn(dashboardTokens.admin, { width: 390, height: 844 });
  const overflow = await admin.evaluate<number>(sidewaysScroll);
  assert.equal(overflow, 0);
  const box = await admin.locator('.grid-scroll').evaluate((e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
  assert.ok(box.scroll > box.client, 'the grid scrolls inside its box');
  await admin.screenshot({ path: screenshotPath('e2e-grid-phone') });
  await admin.goto(`${hub.url}/#/history/audit`);
  const row = admin.locator('table.audit tbody tr').first();
  await row.waitFor();
  assert.match(await row.innerText(), /operator-user[\s\S]*POST \/api\/v1\/rollouts\/web\/approve[\s\S]*Succeeded/);
  assert.equal(await admin.evaluate<number>(sidewaysScroll), 0);
  await admin.screenshot({ path: screenshotPath('e2e-audit-phone'), fullPage: true });
  await admin.goto(`${hub.url}/#/rollouts/web`);
  await admin.locator('li.wave[data-wave="production"]').waitFor();
  assert.equal(await admin.evaluate<number>(sidewaysScroll), 0);
  await admin.screenshot({ path: screenshotPath('e2e-rollout-phone'), fullPage: true });
});

test('the grid works from the keyboard: one tab stop, arrows move, Enter opens the cluster', async () => {
  await viewer.goto(`${hub.url}/#/`);
  await viewer.locator('table.grid[data-ready]').waitFor();
  await viewer.locator('.totals button').last().focus();
  await viewer.keyboard.press('Tab');
  const focused = () => viewer.evaluate<string>("document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? ''");
  assert.equal(await focused(), 'dev-eu-west');
  await viewer.keyboard.press('ArrowRight');
  assert.match(await focused(), /^dev-eu-west, cluster-config: Synced/);
  await viewer.keyboard.press('ArrowDown');
  await viewer.keyboard.press('ArrowRight');
  assert.match(await focused(), /^dev-us-east, web: Synced/);
  await viewer.keyboard.press('Shift+Tab');
  assert.match(await focused(), /Synced\s*12/, 'Shift+Tab leaves the grid: it is one tab stop');
  await viewer.keyboard.press('Tab');
  assert.match(await focused(), /^dev-us-east, web: Synced/, 'Tab comes back to the cell last focused');
  await viewer.keyboard.press('Enter');
  await viewer.getByRole('heading', { name: 'dev-us-east', level: 1 }).waitFor();
  // The new page's heading takes the focus, so a screen reader announces it.
  assert.equal(await viewer.evaluate<string>('document.activeElement?.textContent'), 'dev-us-east');
});

test('a fleet of 300 clusters: the grid draws what is on screen, and the keyboard and scrolling reach every cluster', async () => {
  const releases = ['cluster-config', 'monitoring', 'web'];
  const big = await startDashboardHub(syntheticSeed(300, releases, Date.now()));
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(`sessionStorage.setItem('flotilla.token', ${JSON.stringify(dashboardTokens.viewer)})`);
    const page = await context.newPage();
    await page.goto(big.url);
    const grid = page.locator('table.grid[data-ready]');
    await grid.waitFor();
    assert.equal(await grid.getAttribute('data-rows'), '300');
    assert.equal(await grid.getAttribute('aria-rowcount'), String(300 + 3 + 1), 'every row counts for assistive technology: clusters, 3 env groups, the header');
    assert.equal(await page.locator('.totals-count strong').innerText(), '900');
    const drawn = await page.locator('table.grid th.grid-cluster').count();
    assert.ok(drawn >= 12 && drawn < 60, `${drawn} rows drawn`);

    const names = big.state.clusters().map((c) => c.name);
    const first = names.filter((n) => n.startsWith('dev-')).sort((a, b) => a.localeCompare(b))[0]!;
    const last = names.filter((n) => n.startsWith('production-')).sort((a, b) => a.localeCompare(b)).at(-1)!;
    const focused = async (want: RegExp) => {
      // The focus lands once the far row is drawn: poll (the page's CSP refuses waitForFunction's eval).
      let label = '';
      for (let i = 0; i < 100 && !want.test(label); i++) {
        label = await page.evaluate<string>("document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent ?? ''");
        if (!want.test(label)) await new Promise((resolve) => setTimeout(resolve, 30));
      }
      return label;
    };
    await page.locator('table.grid th.grid-cluster a').first().focus();
    assert.equal(await focused(new RegExp(`^${first}$`)), first);
    await page.keyboard.press('Control+End');
    assert.match(await focused(new RegExp(`^${last}, web: `)), new RegExp(`^${last}, web: `));
    await page.keyboard.press('Control+Home');
    assert.equal(await focused(new RegExp(`^${first}$`)), first);

    const half = await page.locator('.grid-scroll').evaluate((box) => {
      box.scrollTo(0, box.scrollHeight / 2);
      return box.scrollTop;
    });
    const middle = page.locator('table.grid tr.grid-row[aria-rowindex="155"]');
    await middle.waitFor({ timeout: 5_000 });
    await page.waitForTimeout(200);
    // Drawing rows above must not make the browser's scroll anchoring push the box further down.
    assert.equal(await page.locator('.grid-scroll').evaluate((box) => box.scrollTop), half);
    assert.match(await middle.innerText(), /^staging-/);
    assert.equal(await page.locator('table.grid th.grid-cluster a', { hasText: first }).count(), 0, 'rows scrolled far away are not drawn');
    await page.screenshot({ path: screenshotPath('e2e-grid-300') });

    // Pull-mode clusters (every tenth of the seed; in dev, every other eu-west one) carry a "pull"
    // badge, word and icon, in the row's link name, and only they do; the totals count them.
    await page.getByLabel('Label selector').fill('env=dev,region=eu-west');
    await page.getByText('20 of 300 clusters shown').waitFor();
    // The grid was scrolled to its middle: after the filter it must draw the 20 rows from the top.
    await page.waitForFunction("document.querySelectorAll('table.grid th.grid-cluster a').length === 20", undefined, { timeout: 5_000 });
    const modes = new Map(big.state.clusters().map((c) => [c.name, c.mode]));
    const rowLinks = page.locator('table.grid th.grid-cluster a');
    let pullRows = 0;
    for (const link of await rowLinks.all()) {
      const name = (await link.getAttribute('href'))!.replace('#/clusters/', '');
      const badge = link.locator('.badge-mode[data-mode="pull"]');
      if (modes.get(name) === 'pull') {
        pullRows++;
        assert.equal(await badge.count(), 1, `${name} is in pull mode: its row has the badge`);
        // The word "pull" on screen; " mode" is for screen readers only.
        assert.equal((await badge.innerText()).replace(/\s+/g, ' '), 'pull mode');
        assert.equal(await badge.locator('.visually-hidden').innerText(), 'mode');
        assert.equal(await badge.locator('svg.icon').count(), 1);
        assert.match((await badge.getAttribute('title'))!, /pull mode: an agent applies/);
        await page.getByRole('link', { name: `${name} pull mode`, exact: true }).waitFor();
      } else {
        assert.equal(await badge.count(), 0, `${name} is in push mode: no badge`);
      }
    }
    assert.match(await page.locator('[data-total-mode="pull"]').innerText(), /pull\s+mode\s+10\s+clusters/);
    assert.equal(pullRows, 10, 'every pull-mode cluster of the 20 rows has the badge');
    await page.screenshot({ path: screenshotPath('e2e-grid-pull') });
    await context.close();
  } finally {
    await big.close();
  }
});

// Runs in the page. Plain JavaScript kept as text, so that the test runner's transpiler adds no
// helpers to it: every control's accessible name, and the contrast of text on its background.
const pageChecks = `(where) => {
  const out = [];
  for (const el of document.querySelectorAll('a, button, input, select, [tabindex]')) {
    const name = el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent) || (el.textContent || '').trim() || el.getAttribute('title');
    if (!name) out.push(where + ': ' + el.outerHTML.slice(0, 120) + ' has no accessible name');
  }
  const rgb = (c) => (c.match(/[0-9.]+/g) || []).slice(0, 3).map(Number);
  const channel = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4); };
  const lum = (c) => 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2]);
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const bg = getComputedStyle(e).backgroundColor;
      if (bg && !bg.startsWith('rgba(0, 0, 0, 0)') && bg !== 'transparent') return bg;
    }
    return 'rgb(255, 255, 255)';
  };
  for (const el of document.querySelectorAll('.badge, .cell > a, .chip, .notice, .muted, th, td, .event-message, label')) {
    if (!el.innerText || !el.innerText.trim()) continue;
    const fg = lum(rgb(getComputedStyle(el).color));
    const bg = lum(rgb(background(el)));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) out.push(where + ': "' + el.innerText.slice(0, 40) + '" has contrast ' + ratio.toFixed(2));
  }
  return out;
}`;

test('every control has an accessible name, and the state colours meet WCAG AA contrast', async () => {
  const problems: string[] = [];
  for (const path of ['#/', '#/rollouts', '#/history', '#/plan', '#/clusters/prod-eu-west']) {
    await viewer.goto(`${hub.url}/${path}`);
    await viewer.locator('main h1').waitFor();
    await viewer.waitForTimeout(150);
    problems.push(
      ...((await viewer.evaluate(`(${pageChecks})(${JSON.stringify(path)})`)) as string[]),
    );
  }
  assert.deepEqual(problems, []);
});
