export { matchesTarget, compileTarget, selectResources, effectiveNamespace, type TargetMatcher } from './target.js';
export { parseLabelSelector, matchesLabelSelector, type LabelSelector, type SelectorRequirement, type SelectorOperator } from './label-selector.js';
export { strategicMerge, type StrategicMergeOptions } from './strategic-merge.js';
export { schemaForKind, fieldSchema, elementSchema, isMergeList, mergeKeys, retainsKeys, type FieldSchema, type SchemaNode, type SchemaFlavor } from './schema.js';
export { parseJsonPatch, validateOperations, applyJsonPatch, parsePointer, type JsonPatchOperation, type JsonPatchOp, type JsonPatchWhere } from './json6902.js';
export { changedPaths, diffObjects, recordChanges, type FieldPath, type ListMove, type ObjectDiff } from './changed-paths.js';
