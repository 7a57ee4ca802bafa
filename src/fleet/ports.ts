// What fleet/ needs from the renderer, described structurally: fleet and render are sibling pure
// areas and may not import each other. render/'s RenderFs, RenderedObject and releaseRenderer fit
// these shapes as they are; the CLI (or whoever composes the pipeline) passes them in.
import type { Result } from '../core/index.js';
import type { KubeObject } from '../manifest/index.js';

/** FleetFs is the read-only file system a fleet is read through (render's RenderFs). Paths are absolute, with `/`. */
export interface FleetFs {
  /** readFile returns the file's bytes; it throws an error with code ENOENT when the file is missing. */
  readFile(path: string): Uint8Array;
  /** stat returns what is at the path, or undefined when nothing is. */
  stat(path: string): { kind: 'file' | 'directory'; size: number } | undefined;
  readdir(path: string): string[];
  realpath(path: string): string;
}

/** FieldSource says which file and step set a field (render's ProvenanceEntry). */
export interface FieldSource {
  file: string;
  layer: 'resource' | 'patch' | 'generator' | 'transformer' | 'substitution' | 'values';
  step?: string;
}

/** FleetObject is one rendered object with where its fields came from (render's RenderedObject). */
export interface FleetObject {
  object: KubeObject;
  provenance: Map<string, FieldSource>;
}

/** ReleaseRenderer is the renderer a target is built with: render/'s `releaseRenderer`. */
export interface ReleaseRenderer {
  /** build builds a kustomize directory as `kustomize build` does, naming files relative to root. */
  build(dir: string, options: { fs: FleetFs; cache?: unknown; root?: string }): Result<{ objects: FleetObject[] }>;
  /** substitute applies `${VAR}` substitution to rendered objects (SPEC §4). */
  substitute(objects: readonly FleetObject[], options: { variables: Readonly<Record<string, string>>; sources?: Readonly<Record<string, FieldSource>>; context?: string }): Result<FleetObject[]>;
}

/**
 * HelmReleaseRenderer renders the Helm release of one target (render/helm's helmReleaseRenderer
 * over source/helm's HelmCli, composed by the CLI): chart, merged values, `helm template`.
 */
export interface HelmReleaseRenderer {
  render(
    target: { key: string; release: { name: string; index: number; namespace?: string }; cluster: { name: string; file: string; kubernetesVersion?: string }; helm?: unknown },
    context: { fs: FleetFs; root: string; fleetFile?: string },
  ): Result<{ objects: FleetObject[]; notes: string[] }>;
}
