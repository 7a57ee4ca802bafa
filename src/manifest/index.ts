export type { KubeObject, KubeMetadata, JsonValue } from './types.js';
export { parseYamlStream, stringifyYamlStream, maxYamlBytes, maxYamlAliases, maxYamlDepth, type ParsedDocument, type ParseYamlOptions } from './yaml.js';
