import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errorsMarkdown } from '../scripts/docs-errors.js';

const root = new URL('..', import.meta.url).pathname;

test('docs/errors.md lists every registered error code (regenerate with npm run docs)', () => {
  assert.equal(readFileSync(`${root}docs/errors.md`, 'utf8'), errorsMarkdown());
});
