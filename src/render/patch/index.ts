export { matchesTarget, compileTarget, selectResources, effectiveNamespace, clusterScopedKinds, type TargetMatcher } from './target.js';
export { parseLabelSelector, matchesLabelSelector, type LabelSelector, type SelectorRequirement, type SelectorOperator } from './label-selector.js';
