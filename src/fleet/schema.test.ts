import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { schemaFiles } from './schema-files.js';

const root = new URL('../../', import.meta.url).pathname;

test('docs/schema/ holds the schemas the loader validates with (regenerate with npm run docs)', () => {
  for (const [name, text] of Object.entries(schemaFiles())) {
    assert.equal(readFileSync(`${root}docs/schema/${name}`, 'utf8'), text, name);
  }
});
