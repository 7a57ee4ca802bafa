export type { RenderFs } from './fs.js';
export type { BuildOutput, Provenance, ProvenanceEntry, ProvenanceLayer, RenderedObject } from './types.js';
export { buildKustomization, type BuildOptions } from './kustomize/build.js';
export { createBuildCache, type BuildCache, type BuildCacheStats } from './kustomize/cache.js';
export { formatProvenance, explainFields, formatEntry, type ExplainedField } from './provenance.js';
export { memoryFs } from './kustomize/memory-fs.js';
export { substituteObjects, substituteObject, substituteString, isSubstitutionDisabled, substituteDisabledKeys, variableNamePattern, type SubstituteOptions } from './substitute.js';
export { releaseRenderer } from './release-renderer.js';
