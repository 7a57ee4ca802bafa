export type { ClusterRecord, Fleet, GuardSpec, HelmChartRef, HelmSource, IgnoreRule, NotificationSpec, Release, ReleaseRepo, ReleaseTargets, RolloutSpec, RolloutWave, SecretSource, Target } from './types.js';
export type { LabelSelector, LabelSelectorRequirement } from './selector-types.js';
export { loadFleet, parseDuration, pathLeavesRepository, fleetFileName, defaultClustersGlob, defaultTimeoutMs, identityGuardName } from './load.js';
export { selectTargets, expandTarget, releaseSelects, releaseOrder, type TargetFilter } from './targets.js';
export { renderTarget, renderFleet, defaultNamespace, type RenderedTarget, type RenderTargetOptions, type RenderFleetOptions, type TargetRenderResult, type RepoSource } from './render.js';
export { fleetSchema, clusterSchema, apiVersion } from './schema.js';
export { expandTemplate, parseTemplate, hasTemplate, type TemplateContext } from './template.js';
export { expandGlob } from './glob.js';
export type { FleetFs, FleetObject, FieldSource, ReleaseRenderer, HelmReleaseRenderer } from './ports.js';
