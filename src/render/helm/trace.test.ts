import { test } from 'node:test';
import assert from 'node:assert/strict';
import { markValues, traceFields } from './trace.js';

test('markers replace non-empty strings and positive integers, leaving what a template may test', () => {
  const marked = markValues({ image: { tag: '1.0' }, replicas: 3, enabled: true, empty: '', zero: 0, list: ['a'] });
  const v = marked.values as { image: { tag: string }; replicas: number; enabled: boolean; empty: string; zero: number; list: string[] };
  assert.match(v.image.tag, /^zfltv\d+vz$/);
  assert.ok(v.replicas >= 700_000 && v.replicas < 1_000_000);
  assert.deepEqual([v.enabled, v.empty, v.zero], [true, '', 0]);
  assert.equal(marked.strings.get(Number(/\d+/.exec(v.list[0]!)![0]))!.pointer, '/list/0');
});

test('a field is credited to the values whose markers it holds, only when the real render holds their values there', () => {
  const marked = markValues({ image: { repository: 'nginx', tag: '1.27' }, replicas: 3, name: 'web' });
  const v = marked.values as { image: { repository: string; tag: string }; replicas: number; name: string };
  const traced = {
    spec: { replicas: v.replicas, image: `${v.image.repository}:${v.image.tag}`, hashed: 'abc', name: v.name },
  };
  // The real render put a transformed value in `name` (e.g. `upper`): no credit there.
  const real = { spec: { replicas: 3, image: 'nginx:1.27', hashed: 'abc', name: 'WEB' } };
  const fields = traceFields(traced, real, marked);
  assert.deepEqual(fields, [
    { pointer: '/spec/replicas', values: ['/replicas'] },
    { pointer: '/spec/image', values: ['/image/repository', '/image/tag'] },
  ]);
});
