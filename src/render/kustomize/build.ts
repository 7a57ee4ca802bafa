import { FlotillaError, fail, type Result } from '../../core/index.js';
import type { RenderFs } from '../fs.js';
import type { BuildOutput } from '../types.js';

/** BuildOptions configure one kustomize-compatible build. */
export interface BuildOptions {
  fs: RenderFs;
}

/** buildKustomization builds DIR as `kustomize build DIR` would. */
export function buildKustomization(dir: string, options: BuildOptions): Result<BuildOutput> {
  void options;
  return fail(new FlotillaError('RENDER_UNSUPPORTED', `${dir}: the renderer is being written`));
}
