// Watches through @kubernetes/client-node's Watch: streaming, selectors, resuming from a
// resourceVersion without missing or repeating events, bookmarks, and 410 Gone after compaction.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';

let sandbox: Sandbox;
let kc: KubeConfig;

before(async () => {
  sandbox = await startSandbox({ clusters: ['w'], historySize: 50, watch: { bookmarkIntervalMs: 100 }, controllers: { enabled: false } });
  kc = new KubeConfig();
  kc.loadFromString(sandbox.kubeconfig());
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'watched' } } });
});

after(async () => {
  await sandbox.stop();
});

interface Seen {
  type: string;
  name: string;
  rv: string;
  value?: string;
}

/** collect watches a path until `until` says stop, and returns what it saw. */
async function collect(path: string, query: Record<string, string | boolean | number>, until: (seen: Seen[]) => boolean, act: () => Promise<void> = async () => {}): Promise<{ seen: Seen[]; error?: unknown }> {
  const seen: Seen[] = [];
  let finish!: (error?: unknown) => void;
  const done = new Promise<unknown>((resolve) => (finish = resolve));
  const controller = await new Watch(kc).watch(
    path,
    query,
    (type, object: { metadata: { name?: string; resourceVersion: string }; data?: Record<string, string>; code?: number }) => {
      seen.push({ type, name: object.metadata?.name ?? String(object.code ?? ''), rv: object.metadata?.resourceVersion ?? '', ...(object.data?.v ? { value: object.data.v } : {}) });
      if (until(seen)) finish();
    },
    (error) => finish(error),
  );
  await act();
  const error = await Promise.race([done, new Promise((r) => setTimeout(() => r(new Error('watch timed out')), 5000))]);
  controller.abort();
  return { seen, ...(error ? { error } : {}) };
}

test('a watch streams changes, follows label selectors, and resumes from a resourceVersion without gaps', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const list = await core.listNamespacedConfigMap({ namespace: 'watched' });
  const start = list.metadata!.resourceVersion!;
  const changes: Seen[] = (
    await collect('/api/v1/namespaces/watched/configmaps', { resourceVersion: start, labelSelector: 'app=web' }, (s) => s.length >= 4, async () => {
      await core.createNamespacedConfigMap({ namespace: 'watched', body: { metadata: { name: 'a', labels: { app: 'web' } }, data: { v: '1' } } });
      await core.createNamespacedConfigMap({ namespace: 'watched', body: { metadata: { name: 'other' }, data: { v: 'x' } } });
      await core.patchNamespacedConfigMap({ name: 'a', namespace: 'watched', body: { data: { v: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      // Leaving the selection is a DELETED for this watch; coming back an ADDED.
      await core.patchNamespacedConfigMap({ name: 'a', namespace: 'watched', body: { metadata: { labels: { app: 'db' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await core.patchNamespacedConfigMap({ name: 'a', namespace: 'watched', body: { metadata: { labels: { app: 'web' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    })
  ).seen;
  assert.deepEqual(changes.map((c) => `${c.type} ${c.name} ${c.value}`), ['ADDED a 1', 'MODIFIED a 2', 'DELETED a 2', 'ADDED a 2']);

  // Resume from the second event: exactly the later ones come again, then new ones.
  const resumeFrom = changes[1]!.rv;
  const resumed = await collect('/api/v1/namespaces/watched/configmaps', { resourceVersion: resumeFrom }, (s) => s.some((e) => e.type === 'DELETED' && e.name === 'other'), async () => {
    await core.deleteNamespacedConfigMap({ name: 'other', namespace: 'watched' });
  });
  assert.deepEqual(resumed.seen.map((c) => `${c.type} ${c.name}`), ['MODIFIED a', 'MODIFIED a', 'DELETED other']);
  const rvs = resumed.seen.map((e) => Number(e.rv));
  assert.ok(rvs.every((v, i) => i === 0 || v > rvs[i - 1]!));

  // Without a resourceVersion the watch starts with the current state.
  const initial = await collect('/api/v1/namespaces/watched/configmaps', {}, (s) => s.length >= 1);
  assert.deepEqual(initial.seen.map((c) => `${c.type} ${c.name}`), ['ADDED a']);
});

test('bookmarks arrive when asked for, and a resourceVersion older than the history gets 410 Gone', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const rv = (await core.listNamespacedConfigMap({ namespace: 'watched' })).metadata!.resourceVersion!;
  const bookmarks = await collect('/api/v1/namespaces/watched/configmaps', { resourceVersion: rv, allowWatchBookmarks: true }, (s) => s.some((e) => e.type === 'BOOKMARK'));
  assert.equal(bookmarks.seen[0]!.type, 'BOOKMARK');
  assert.equal(bookmarks.seen[0]!.rv, String(sandbox.cluster('w').api.store.resourceVersion));

  // More writes than the history keeps: the old resourceVersion is compacted away.
  for (let i = 0; i < 60; i++) await core.createNamespacedConfigMap({ namespace: 'watched', body: { metadata: { name: `fill-${i}` } } });
  const gone = await collect('/api/v1/namespaces/watched/configmaps', { resourceVersion: rv }, (s) => s.length >= 1);
  assert.deepEqual(gone.seen.map((e) => `${e.type} ${e.name}`), ['ERROR 410']);
});
