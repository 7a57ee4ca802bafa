// Small builders for the transformer tests: resources from YAML text and a step context over an
// in-memory set of files. Test-only; nothing in the renderer imports this module.
import { parseAllDocuments } from 'yaml';
import { FlotillaError, fail, ok } from '../../../core/index.js';
import type { KubeObject } from '../../../manifest/index.js';
import type { Resource } from '../resource.js';
import type { StepContext } from '../step.js';

/** resourcesFromYaml parses a multi-document YAML text into fresh resources without history. */
export function resourcesFromYaml(text: string): Resource[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null)
    .map((object) => ({ object, provenance: new Map(), history: [] }));
}

/** objectsOf returns the plain objects of resources, for deep comparisons. */
export function objectsOf(resources: readonly Resource[]): KubeObject[] {
  return resources.map((r) => r.object);
}

/** stepContext is a context for `kustomization.yaml` whose readText serves `files` (relative paths). */
export function stepContext(files: Record<string, string> = {}, file = 'kustomization.yaml'): StepContext {
  return {
    file,
    dir: '/build',
    readText: (relPath, field) =>
      relPath in files ? ok(files[relPath]!) : fail(new FlotillaError('RENDER_RESOURCE_NOT_FOUND', `${file}: ${field}: ${relPath} does not exist`, { file, field })),
    displayPath: (relPath) => relPath,
  };
}
