import { posix } from 'node:path';
import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import type { RenderFs } from '../fs.js';

/** maxChartBytes bounds the files of one chart directory (charts with their dependencies stay far below it). */
export const maxChartBytes = 64 * 1024 * 1024;

/** maxChartFiles bounds the number of files of one chart directory. */
export const maxChartFiles = 20_000;

/** ReadChartOptions say where the chart directory is and how it is named in messages. */
export interface ReadChartOptions {
  fs: RenderFs;
  /** The repository root (absolute); the chart must stay inside it, symbolic links included. */
  root: string;
  /** The chart directory relative to the root, as the fleet file names it. */
  path: string;
  /** The fleet file and field that name the chart, for messages. */
  file: string;
  field: string;
  cluster: string;
}

/**
 * readChartDirectory reads every file of a chart directory (its templates, values.yaml, and the
 * dependencies in charts/, as directories or archives) through the render file system, so a chart
 * at a Git revision renders as well as one in the working tree. Helm applies .helmignore itself.
 */
export function readChartDirectory(options: ReadChartOptions): Result<Map<string, Uint8Array>> {
  const { fs, path, file, field, cluster } = options;
  const root = options.root.replace(/\/+$/, '') || '/';
  const dir = posix.join(root, path);
  const problem = (message: string, code: 'HELM_CHART_NOT_FOUND' | 'FLEET_PATH_OUTSIDE_REPOSITORY' | 'FILE_TOO_LARGE' | 'FILE_UNREADABLE' = 'HELM_CHART_NOT_FOUND') =>
    fail<Map<string, Uint8Array>>(new FlotillaError(code, `${file}: ${field}: ${message}`, { file, field, cluster }));
  const stat = fs.stat(dir);
  if (stat?.kind !== 'directory') return problem(`the chart directory ${path} ${stat ? 'is a file, not a directory' : 'does not exist'}`);
  if (fs.stat(posix.join(dir, 'Chart.yaml'))?.kind !== 'file') return problem(`${path} is not a Helm chart: it has no Chart.yaml`);
  const realRoot = fs.realpath(root);
  const inside = (p: string) => {
    const real = fs.realpath(p);
    return real === realRoot || real.startsWith(realRoot.endsWith('/') ? realRoot : realRoot + '/');
  };
  if (!inside(dir)) return problem(`${path} leads outside the repository (through a symbolic link)`, 'FLEET_PATH_OUTSIDE_REPOSITORY');

  const files = new Map<string, Uint8Array>();
  let total = 0;
  const walk = (abs: string, rel: string): string | undefined => {
    for (const name of [...fs.readdir(abs)].sort()) {
      const childAbs = posix.join(abs, name);
      const childRel = rel ? `${rel}/${name}` : name;
      const kind = fs.stat(childAbs)?.kind;
      if (kind === undefined) continue;
      if (!inside(childAbs)) return `${path}/${childRel} leads outside the repository (through a symbolic link)`;
      if (kind === 'directory') {
        const failed = walk(childAbs, childRel);
        if (failed) return failed;
        continue;
      }
      let bytes: Uint8Array;
      try {
        bytes = fs.readFile(childAbs);
      } catch (error) {
        return `${path}/${childRel} cannot be read: ${(error as Error).message}`;
      }
      total += bytes.length;
      files.set(childRel, bytes);
      if (files.size > maxChartFiles || total > maxChartBytes) return `${path} is larger than a chart may be (${maxChartFiles} files, ${maxChartBytes} bytes)`;
    }
    return undefined;
  };
  const failed = walk(dir, '');
  if (failed) return problem(failed, failed.includes('outside') ? 'FLEET_PATH_OUTSIDE_REPOSITORY' : failed.includes('cannot be read') ? 'FILE_UNREADABLE' : 'FILE_TOO_LARGE');
  return ok(files);
}
