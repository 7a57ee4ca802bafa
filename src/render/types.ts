import type { KubeObject } from '../manifest/index.js';

/**
 * ProvenanceLayer says what kind of step set a field: the resource file itself, a patch, a
 * generator, a transformer (labels, namespace, images, …), substitution or a Helm values file.
 */
export type ProvenanceLayer = 'resource' | 'patch' | 'generator' | 'transformer' | 'substitution' | 'values';

/** ProvenanceEntry says which file, and which step in it, set a field. */
export interface ProvenanceEntry {
  /** The file that set the value, relative to the build root's repository when known. */
  file: string;
  layer: ProvenanceLayer;
  /** The step inside the file, e.g. `patches[1]`, `commonLabels`, `configMapGenerator[0]`. */
  step?: string;
}

/**
 * Provenance maps a field of one object, as a JSON pointer (`/metadata/labels/app`), to the step
 * that last set it. A path without its own entry inherits the entry of its nearest ancestor.
 */
export type Provenance = Map<string, ProvenanceEntry>;

/** RenderedObject is one output object and where each of its fields came from. */
export interface RenderedObject {
  object: KubeObject;
  provenance: Provenance;
}

/** BuildOutput is the result of one kustomize-compatible build, in output order. */
export interface BuildOutput {
  objects: RenderedObject[];
}
