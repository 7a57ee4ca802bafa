import type { Result } from '../../core/index.js';
import type { Kustomization } from './kustomization.js';
import type { ParsedResource } from './read-resources.js';
import type { Resource } from './resource.js';

/** Accumulation is what building one kustomization directory yields before the final, top-level steps. */
export interface Accumulation {
  resources: Resource[];
  /** The field-spec configuration (built-in, plus configurations and crds from this tree). */
  config: unknown;
}

/** LoadedKustomization is a parsed and validated kustomization file. */
export interface LoadedKustomization {
  kustomization: Kustomization;
  /** The file's path, as messages name it. */
  file: string;
}

/** BuildCacheStats counts what a cache saved: reads and builds served from it, and those done. */
export interface BuildCacheStats {
  directoryHits: number;
  directoryBuilds: number;
  fileHits: number;
  fileReads: number;
}

/**
 * BuildCache lets many builds in one process (a fleet render of hundreds of overlays that share
 * bases) read, parse and build each shared kustomization directory and resource file once.
 * Entries are keyed by real path (and the display root, which names files in provenance); results
 * are deep-copied on every reuse, because parent kustomizations change the resources they get.
 * Use one cache per file-system snapshot (one Git revision): it never checks files for changes.
 */
export interface BuildCache {
  readonly directories: Map<string, Result<Accumulation>>;
  readonly files: Map<string, Result<ParsedResource[]>>;
  readonly kustomizations: Map<string, Result<LoadedKustomization>>;
  readonly stats: BuildCacheStats;
}

/** createBuildCache makes an empty BuildCache to pass to several buildKustomization calls. */
export function createBuildCache(): BuildCache {
  return {
    directories: new Map(),
    files: new Map(),
    kustomizations: new Map(),
    stats: { directoryHits: 0, directoryBuilds: 0, fileHits: 0, fileReads: 0 },
  };
}
