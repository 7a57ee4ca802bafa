export type {
  ChangeAction,
  FieldChange,
  FleetRender,
  GuardVerdict,
  ObjectChange,
  Plan,
  PlanFailure,
  PlanSummary,
  Selection,
  TargetFailure,
  TargetPlan,
  TargetRender,
} from './types.js';
export { diffObjects, diffValues, jsonEqual, leaves, objectKey } from './diff.js';
export { describeMasked, isSecret, isSecretValuePath, maskFieldChanges, maskedValue } from './mask.js';
export { buildPlan, planOutcome, summarize, summaryLine, type PlanOutcome } from './plan.js';
export { buildLivePlan, type LiveObjectDrift, type LiveTargetDrift } from './live.js';
export { fieldDiffLines, formatValue, lineDiff, type DiffLine } from './field-lines.js';
export { formatPlanText } from './format-text.js';
export { formatPlanMarkdown, type MarkdownOptions } from './format-markdown.js';
export { planToJson } from './format-json.js';
export {
  displayPath,
  explainObject,
  findRenderedObject,
  pointerOf,
  resolveFieldPath,
  type ExplainedObject,
  type ExplainOptions,
  type ExplainRow,
  type FoundObject,
  type ProvenanceSource,
  type TargetObjects,
} from './explain.js';
export { evaluateGuards, checkFingerprint, isIdentityConfigMap, identityLabel, identityConfigMapName, type GuardRule, type GuardCluster, type GuardInput } from './guards.js';
export {
  inventoryNamespace,
  inventoryFormat,
  releaseLabel,
  pruneAnnotation,
  inventoryLabel,
  maxInventoryBytes,
  inventoryName,
  inventoryKey,
  inventoryRefOf,
  newInventory,
  encodeInventory,
  decodeInventory,
  planPrune,
  type InventoryRef,
  type Inventory,
  type PruneKeepReason,
  type PruneKeep,
  type PruneBlockReason,
  type PrunePlan,
  type PruneInput,
} from './inventory.js';
export { detectDrift, parseQuantity, type DriftIgnoreRule, type DriftField, type DriftResult, type DetectDriftOptions } from './drift.js';
