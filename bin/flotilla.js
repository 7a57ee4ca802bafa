#!/usr/bin/env node
// The installed command: runs the compiled CLI. `npm install` (through `prepare`) compiles it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('flotilla: the compiled CLI is missing (dist/src/cli/main.js); run `npm run build` in the package directory.\n');
  process.exit(1);
}
await import(main.href);
