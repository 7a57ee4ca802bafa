// The kustomize-compatible transformers of a kustomization, as pure functions over Resource[].
// Each step has the BuildStep shape plus an optional TransformerConfig (the merged field specs of
// this kustomization and the ones it includes); kustomize runs them in the order
// patchesStrategicMerge, patches, namespace, namePrefix, nameSuffix, labels, commonAnnotations,
// patchesJson6902, replicas, images, replacements. fixNameReferences runs once for the whole build.
export { namespaceStep } from './namespace.js';
export { prefixStep, suffixStep } from './name-affix.js';
export { labelsStep, annotationsStep } from './labels.js';
export { imagesStep, imageMatches, splitImage, updateImage } from './images.js';
export { replicasStep } from './replicas.js';
export { replacementsStep, loadReplacements, splitReplacementPath } from './replacements.js';
export { fixNameReferences } from './name-reference.js';
export {
  loadTransformerConfig,
  mergeTransformerConfigs,
  defaultTransformerConfig,
  emptyTransformerConfig,
  parseConfigurationsFile,
  parseCrdsFile,
  type TransformerConfig,
  type FieldSpecListName,
} from './config.js';
export { builtinFieldSpecs, type NameBackReference } from './builtin-field-specs.js';
export { visitFieldSpec, splitFieldPath, gvkSelects, mergeFieldSpecs, type FieldRef, type CreateKind, type FieldVisitor } from './field-spec.js';
export { storePreviousId, namePrefixes, nameSuffixes, effectiveNamespace, type AffixedPreviousId } from './resource-ids.js';
