export type { KubeObject, KubeMetadata, JsonValue } from './types.js';
export { parseYamlStream, stringifyYamlStream, yamlTextProblem, yamlNestingProblem, yamlAliasCycle, yamlCollectionKey, maxYamlScanDepth, maxYamlBytes, maxYamlAliases, maxYamlDepth, type ParsedDocument, type ParseYamlOptions } from './yaml.js';
export { selectorMatches, selectorProblems, labelsProblems, labelKeyProblem, labelValueProblem, formatSelector, type LabelSelector, type LabelSelectorRequirement, type SelectorProblem } from './label-selector.js';
export { applyPhases, kindOrder, classifyForApply, compareApplyOrder, orderForApply, orderForDelete, type ApplyPhase, type ApplyOrderEntry, type ApplyOrderOptions, type CrdRequirement, type OrderRef } from './apply-order.js';
export { normalizeForApply, type NormalizeResult, type NormalizedField } from './normalize.js';
export { isNamespacedKind, kubernetesScope, customResourceScopes, builtinKinds, kustomizeClusterScopedKinds, type BuiltinKind, type KindScope, type CustomScopes } from './kinds.js';
