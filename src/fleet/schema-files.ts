import { clusterSchema, fleetSchema } from './schema.js';

/** schemaFiles gives the published schema files, docs/schema/NAME, and their text. */
export function schemaFiles(): Record<string, string> {
  return {
    'fleet.schema.json': JSON.stringify(fleetSchema, null, 2) + '\n',
    'cluster.schema.json': JSON.stringify(clusterSchema, null, 2) + '\n',
  };
}
