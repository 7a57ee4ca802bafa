// Regenerates the generated parts of docs/ (npm run docs). Tests fail when they are out of step.
import { writeFileSync } from 'node:fs';
import { errorsMarkdown } from './docs-errors.js';

const root = new URL('..', import.meta.url).pathname;
writeFileSync(`${root}docs/errors.md`, errorsMarkdown());
console.log('wrote docs/errors.md');
