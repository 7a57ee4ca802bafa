import { resolve } from 'node:path';
import type { Command } from 'commander';
import { buildKustomization, formatProvenance } from '../../render/index.js';
import { stringifyYamlStream } from '../../manifest/index.js';
import { localFs } from '../../source/index.js';
import type { CliContext } from '../context.js';

/** registerBuild adds `flotilla build DIR`: what `kustomize build DIR` prints. */
export function registerBuild(program: Command, ctx: CliContext): void {
  program
    .command('build')
    .description('Build a kustomization directory and print the YAML stream `kustomize build DIR` prints')
    .argument('[dir]', 'the kustomization directory', '.')
    .option('--explain', 'print, for every field of every object, the file and step that set it')
    .option('--root <dir>', 'the repository root: file names are printed relative to it, and no base may lie outside it')
    .action((dir: string, opts: { explain?: boolean; root?: string }) => {
      const result = buildKustomization(resolve(dir), { fs: localFs, root: opts.root ? resolve(opts.root) : undefined });
      if (!result.ok) throw result.issues[0];
      const objects = result.value.objects;
      if (ctx.format() === 'json') {
        const out = objects.map((o) => (opts.explain ? { object: o.object, provenance: Object.fromEntries(o.provenance) } : o.object));
        ctx.stdout.write(JSON.stringify(out, null, 2) + '\n');
      } else if (opts.explain) {
        ctx.stdout.write(objects.map((o) => formatProvenance(o)).join('\n'));
      } else {
        ctx.stdout.write(stringifyYamlStream(objects.map((o) => o.object)));
      }
    });
}
