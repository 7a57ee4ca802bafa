import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { FlotillaError } from '../../core/index.js';
import { defaultInitEnvs, defaultInitRegions, initClusterName, initFiles, nameProblem } from '../../fleet/index.js';
import type { CliContext } from '../context.js';
import { printIssues } from './render.js';

interface InitCommandOptions {
  envs: string;
  regions: string;
  name?: string;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** fleetNameFor turns a directory name into a fleet name (a DNS label): `Acme Platform` → `acme-platform`. */
export function fleetNameFor(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return name && !nameProblem(name) ? name : 'fleet';
}

/**
 * registerInit adds `flotilla init [DIR]`: a new fleet repository in the layout of SPEC §2 (base,
 * environments, clusters, a cluster template), one cluster record per environment × region, and a
 * README for the platform team. It never overwrites a file: when any file it would write exists,
 * it writes nothing.
 */
export function registerInit(program: Command, ctx: CliContext): void {
  program
    .command('init')
    .description('Scaffold a fleet repository: flotilla.yaml, base/, environments/, a cluster template, and a cluster per environment × region')
    .argument('[dir]', 'the directory to create the fleet in (default: --fleet, else the current directory)')
    .option('--envs <names>', 'environments, comma-separated, in promotion order (they become rollout waves)', defaultInitEnvs.join(','))
    .option('--regions <names>', 'regions, comma-separated; one cluster <env>-<region> per environment and region', defaultInitRegions.join(','))
    .option('--name <name>', "the fleet's name (default: the directory's name)")
    .action((dirArg: string | undefined, opts: InitCommandOptions, command: Command) => {
      const dir = resolve(dirArg ?? String(command.optsWithGlobals().fleet ?? '.'));
      const envs = list(opts.envs);
      const regions = list(opts.regions);
      const files = initFiles({ name: opts.name ?? fleetNameFor(dir), envs, regions });
      if (!files.ok) {
        printIssues(ctx, files.issues);
        return;
      }
      const existing = files.value.filter((f) => existsSync(join(dir, f.path))).map((f) => f.path);
      if (existing.length) {
        const shown = existing.slice(0, 8).join(', ') + (existing.length > 8 ? `, and ${existing.length - 8} more` : '');
        throw new FlotillaError('INIT_FILE_EXISTS', `${dir}: ${existing.length === 1 ? 'this file exists' : `${existing.length} files exist`} already: ${shown}; nothing was written`, { file: join(dir, existing[0]!) });
      }
      for (const file of files.value) {
        const path = join(dir, file.path);
        mkdirSync(dirname(path), { recursive: true });
        // wx: a file that appeared since the check above is still never overwritten.
        writeFileSync(path, file.text, { flag: 'wx' });
      }
      const clusters = envs.flatMap((env) => regions.map((region) => initClusterName(env, region)));
      if (ctx.format() === 'json') {
        ctx.stdout.write(JSON.stringify({ dir, files: files.value.map((f) => f.path), clusters }, null, 2) + '\n');
        return;
      }
      const shownDir = relative(process.cwd(), dir) || '.';
      const fleetArg = shownDir === '.' ? '' : ` --fleet ${shownDir}`;
      ctx.stdout.write(
        `created fleet repository ${shownDir}: ${files.value.length} files\n` +
          `  flotilla.yaml, README.md, base/, environments/ (${envs.join(', ')}), templates/cluster/\n` +
          `  ${clusters.length} ${clusters.length === 1 ? 'cluster' : 'clusters'}: ${clusters.join(', ')}\n` +
          `next:\n` +
          `  flotilla render${fleetArg}                 # what every cluster gets\n` +
          `  point each clusters/<name>/cluster.yaml at a kubeconfig context (spec.connection.context)\n` +
          `  flotilla bootstrap NAME --label env=${envs[0]} --label region=${regions[0]} --context CTX${fleetArg}   # add a cluster\n`,
      );
    });
}
