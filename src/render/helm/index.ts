export type { HelmChart, HelmChartSource, HelmRenderer, HelmTemplateRequest } from './types.js';
export {
  helmReleaseRenderer,
  helmHookAnnotation,
  defaultHelmNamespace,
  type HelmReleaseRenderer,
  type HelmReleaseRendererOptions,
  type HelmReleaseOutput,
  type HelmReleaseSource,
  type HelmReleaseTarget,
  type HelmRenderContext,
  type UsedValue,
} from './release.js';
export { mergeValues, originOf, type MergedValues, type ValuesLayer } from './values.js';
export { parseHelmYaml, type HelmYamlDocument } from './yaml-v2.js';
export { readChartDirectory, maxChartBytes, maxChartFiles, type ReadChartOptions } from './chart-files.js';
export { markValues, traceFields, maxTracedValues, type TraceValues, type TracedField, type ValueMarker } from './trace.js';
