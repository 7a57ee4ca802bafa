// Regenerates the generated parts of docs/ (npm run docs). Tests fail when they are out of step.
import { mkdirSync, writeFileSync } from 'node:fs';
import { errorsMarkdown } from './docs-errors.js';

const root = new URL('..', import.meta.url).pathname;
writeFileSync(`${root}docs/errors.md`, errorsMarkdown());
console.log('wrote docs/errors.md');

// The JSON Schemas of the fleet file and cluster records, for editors (src/fleet/schema.ts).
const { schemaFiles } = await import('../src/fleet/schema-files.js');
mkdirSync(`${root}docs/schema`, { recursive: true });
for (const [name, text] of Object.entries(schemaFiles())) {
  writeFileSync(`${root}docs/schema/${name}`, text);
  console.log(`wrote docs/schema/${name}`);
}

// The command reference, from the CLI's own command tree, and the fleet file reference, from the
// JSON Schemas: both generated so that they cannot drift from what Flotilla accepts.
const { commandsMarkdown } = await import('./docs-commands.js');
writeFileSync(`${root}docs/commands.md`, commandsMarkdown());
console.log('wrote docs/commands.md');
const { fleetReferenceMarkdown } = await import('./docs-schema-reference.js');
writeFileSync(`${root}docs/fleet-reference.md`, fleetReferenceMarkdown());
console.log('wrote docs/fleet-reference.md');
