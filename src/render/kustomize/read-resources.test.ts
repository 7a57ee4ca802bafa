import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResources } from './read-resources.js';

// Found by the fuzz suite (test/fuzz): a List with a null item (`items: [null]`) crashed with
// "Cannot read properties of null (reading 'kind')". kubectl kustomize v5.7.1 skips null, {} and
// [] items and documents, and refuses a scalar item.
test('parseResources skips empty documents and List items as kustomize does, and refuses scalar items', () => {
  const cm = 'apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: x';
  const parsed = parseResources(`{}\n---\n[]\n---\napiVersion: v1\nkind: List\nitems:\n- null\n- {}\n- []\n- ${cm}\n`, 'list.yaml');
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.issues[0]!.message);
  assert.deepEqual(parsed.value.map((p) => [p.object.metadata.name, p.document, p.item]), [['x', 2, 3]]);

  const scalar = parseResources('apiVersion: v1\nkind: List\nitems:\n- 3\n', 'list.yaml');
  assert.equal(scalar.ok, false);
  if (!scalar.ok) assert.match(scalar.issues[0]!.message, /^list\.yaml: document 1, item 1: not a map/);
});
