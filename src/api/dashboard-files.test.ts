import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SqliteHubStore } from '../store/index.js';
import { HubEventLog } from './event-log.js';
import { RecordedHubState } from './recorded-state.js';
import { defaultDashboardDir } from './dashboard-files.js';
import { createHubServer } from './server.js';
import { TokenSource } from './tokens.js';

const bundle = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;

async function startHub(dashboardDir: string) {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-dashboard-files-'));
  const store = SqliteHubStore.open(join(dir, 'data'));
  const unused = async () => {
    throw new Error('not used');
  };
  const server = await createHubServer({
    state: new RecordedHubState(),
    actions: { requestSync: unused, rolloutAction: unused, gitPush: unused, agentReport: unused },
    events: new HubEventLog(store),
    audit: store,
    tokens: TokenSource.open({ text: '[{name: vera, role: viewer, token: viewer-token-0123456789}, {name: otto, role: operator, token: operator-token-0123456789}]' }),
    dashboardDir,
  });
  return {
    inject: server.app.inject.bind(server.app),
    close: async () => {
      await server.close();
      store.close();
    },
  };
}

function builtDashboard(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Flotilla</title><script type="module" src="./assets/index-abc123.js"></script>');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), bundle);
  writeFileSync(join(dir, 'secret.txt'), 'not an asset');
  return dir;
}

test('the hub serves the dashboard at / without a token, same-origin only, and its hashed bundles gzipped and cached for good', async () => {
  const hub = await startHub(builtDashboard());
  const index = await hub.inject({ method: 'GET', url: '/' });
  assert.equal(index.statusCode, 200);
  assert.match(index.headers['content-type'] as string, /^text\/html/);
  assert.match(index.body, /<title>Flotilla<\/title>/);
  assert.equal(index.headers['cache-control'], 'no-cache');
  assert.match(index.headers['content-security-policy'] as string, /default-src 'self'.*frame-ancestors 'none'/);

  const js = await hub.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip, br' } });
  assert.equal(js.statusCode, 200);
  assert.match(js.headers['content-type'] as string, /^text\/javascript/);
  assert.equal(js.headers['content-encoding'], 'gzip');
  assert.match(js.headers['cache-control'] as string, /immutable/);
  assert.equal(gunzipSync(js.rawPayload).toString(), bundle);
  const plain = await hub.inject({ method: 'GET', url: '/assets/index-abc123.js' });
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body, bundle);
  await hub.close();
});

test('only files inside assets/ are served: other names, dot-dot and encoded slashes are 404', async () => {
  const hub = await startHub(builtDashboard());
  for (const url of ['/assets/missing.js', '/assets/..%2Fsecret.txt', '/secret.txt', '/assets/.hidden']) {
    const response = await hub.inject({ method: 'GET', url });
    assert.equal(response.statusCode, 404, url);
    assert.doesNotMatch(response.body, /not an asset/, url);
  }
  await hub.close();
});

test('without a built dashboard, / says how to build it', async () => {
  const hub = await startHub(join(tmpdir(), 'flotilla-no-such-dashboard'));
  const index = await hub.inject({ method: 'GET', url: '/' });
  assert.equal(index.statusCode, 503);
  assert.match(index.body, /not built\. Run <code>npm run build<\/code>/);
  await hub.close();
});

test('GET /api/v1/whoami tells the token its name and role, so the dashboard shows write controls to operators only', async () => {
  const hub = await startHub(builtDashboard());
  const viewer = await hub.inject({ method: 'GET', url: '/api/v1/whoami', headers: { authorization: 'Bearer viewer-token-0123456789' } });
  assert.deepEqual(viewer.json(), { name: 'vera', role: 'viewer' });
  const operator = await hub.inject({ method: 'GET', url: '/api/v1/whoami', headers: { authorization: 'Bearer operator-token-0123456789' } });
  assert.deepEqual(operator.json(), { name: 'otto', role: 'operator' });
  assert.equal((await hub.inject({ method: 'GET', url: '/api/v1/whoami' })).statusCode, 401);
  await hub.close();
});

test("by default the hub serves the build in dist/web, never the app's source directory", () => {
  const built = new URL('../../dist/web/', import.meta.url).pathname;
  if (existsSync(`${built}index.html`)) assert.equal(defaultDashboardDir(), built);
  else assert.equal(defaultDashboardDir(), undefined);
});
