import type { Result } from '../../core/index.js';
import type { Kustomization } from './kustomization.js';
import type { Resource } from './resource.js';

/**
 * StepContext is what a build step (a transformer or the patch step) gets besides the resources:
 * which kustomization runs it and a way to read files it names, through the load restrictor.
 */
export interface StepContext {
  /** The kustomization file, relative to the build root (for messages and provenance). */
  file: string;
  /** The absolute directory of the kustomization. */
  dir: string;
  /**
   * readText reads a file named relative to the kustomization directory, refusing paths that
   * leave the kustomization root (load restrictor) and naming `field` in its errors.
   */
  readText(relPath: string, field: string): Result<string>;
  /** The file name, relative to the build root, of a path named relative to the kustomization. */
  displayPath(relPath: string): string;
  /**
   * The field-spec configuration this kustomization's transformers use: kustomize's built-in
   * one merged with the configurations and crds of this kustomization and all it includes.
   * Undefined until it is loaded (while the configurations themselves are read).
   */
  config?: unknown;
}

/**
 * BuildStep is one stage of a kustomization's build (patches, namespace, labels, images, …).
 * It may change resources in place and returns the resource list to continue with.
 */
export type BuildStep = (resources: Resource[], kustomization: Kustomization, ctx: StepContext) => Result<Resource[]>;
