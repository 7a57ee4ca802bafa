// docs/fleet-reference.md, generated from the JSON Schemas the loader validates with
// (src/fleet/schema.ts), so the reference cannot drift from what Flotilla accepts.
import { clusterSchema, fleetSchema } from '../src/fleet/index.js';
import { patternMeanings } from '../src/fleet/schema.js';

type Schema = {
  $ref?: string;
  type?: string | readonly string[];
  const?: unknown;
  enum?: readonly unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  minItems?: number;
  minProperties?: number;
  maxProperties?: number;
  default?: unknown;
  description?: string;
  properties?: Record<string, Schema>;
  required?: readonly string[];
  additionalProperties?: boolean | Schema;
  propertyNames?: Schema;
  items?: Schema;
  definitions?: Record<string, Schema>;
};

// Definitions used in several places get a section of their own instead of being repeated.
const shared: Record<string, { title: string; anchor: string }> = {
  labelSelector: { title: 'Label selector', anchor: 'label-selector' },
};

function md(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('')
    .replace(/\|/g, '\\|');
}

function refName(ref: string): string {
  return ref.replace('#/definitions/', '');
}

function json(value: unknown): string {
  return `\`${JSON.stringify(value)}\``;
}

function typeText(schema: Schema, defs: Record<string, Schema>): string {
  if (schema.$ref) {
    const name = refName(schema.$ref);
    if (shared[name]) return `[${shared[name].title.toLowerCase()}](#${shared[name].anchor})`;
    return typeText(defs[name]!, defs);
  }
  if (schema.const !== undefined) return json(schema.const);
  if (schema.enum) return `one of ${schema.enum.map(json).join(', ')}`;
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type as string];
  const words = types.map((t) => {
    if (t === 'array') return `list of ${schema.items ? typeText(schema.items, defs) : 'values'}`;
    if (t === 'object' && !schema.properties && typeof schema.additionalProperties === 'object') return `map of ${typeText(schema.additionalProperties, defs)}`;
    if (t === 'object' && !schema.properties) return 'map';
    return t;
  });
  return words.join(' or ') || 'any';
}

function rules(schema: Schema): string[] {
  const out: string[] = [];
  if (schema.pattern) out.push(patternMeanings[schema.pattern] ?? `matches \`${schema.pattern}\``);
  if (schema.propertyNames?.pattern) out.push(`keys: ${patternMeanings[schema.propertyNames.pattern] ?? `\`${schema.propertyNames.pattern}\``}`);
  if (schema.maxLength !== undefined) out.push(`at most ${schema.maxLength} characters`);
  if (schema.minLength !== undefined && schema.minLength > 1) out.push(`at least ${schema.minLength} characters`);
  if (schema.minimum !== undefined) out.push(`at least ${schema.minimum}`);
  if (schema.minItems !== undefined) out.push(`at least ${schema.minItems} ${schema.minItems === 1 ? 'entry' : 'entries'}`);
  if (schema.minProperties === 1 && schema.maxProperties === 1) out.push('exactly one of its fields');
  return out;
}

// The description, then the rules the schema enforces, leaving out a rule the description already states.
function meaning(description: string, ruleTexts: string[]): string {
  const lower = description.toLowerCase();
  const extra = ruleTexts.filter((r) => !lower.includes(r.split(':')[0]!.toLowerCase()));
  if (!extra.length) return description;
  const sentence = extra.join('; ');
  const capital = sentence[0]!.toUpperCase() + sentence.slice(1);
  return description ? `${description.replace(/\.?$/, '.')} ${capital}.` : `${capital}.`;
}

interface Row {
  field: string;
  type: string;
  required: boolean;
  defaultValue?: unknown;
  text: string;
}

function walk(schema: Schema, at: string, required: boolean, defs: Record<string, Schema>, rows: Row[]): void {
  let target = schema;
  if (schema.$ref && !shared[refName(schema.$ref)]) target = defs[refName(schema.$ref)]!;
  const description = meaning(schema.description ?? target.description ?? '', rules(target));
  if (at) rows.push({ field: at, type: typeText(schema, defs), required, defaultValue: target.default ?? schema.default, text: description });
  const props = target.properties ?? (target.items && !target.items.$ref ? target.items.properties : undefined);
  const item = target.items?.$ref && !shared[refName(target.items.$ref)] ? defs[refName(target.items.$ref)] : undefined;
  if (item) {
    for (const [name, child] of Object.entries(item.properties ?? {})) walk(child, `${at}[].${name}`, (item.required ?? []).includes(name), defs, rows);
    return;
  }
  if (!props) return;
  const requiredNames = target.properties ? target.required ?? [] : target.items?.required ?? [];
  const prefix = target.properties ? (at ? `${at}.` : '') : `${at}[].`;
  for (const [name, child] of Object.entries(props)) walk(child, `${prefix}${name}`, requiredNames.includes(name), defs, rows);
}

function table(rows: Row[]): string[] {
  return [
    '| field | type | required | default | meaning |',
    '|---|---|---|---|---|',
    ...rows.map((r) => `| \`${r.field}\` | ${md(r.type)} | ${r.required ? 'yes' : ''} | ${r.defaultValue === undefined ? '' : json(r.defaultValue)} | ${md(r.text)} |`),
  ];
}

function reference(schema: Schema): Row[] {
  const rows: Row[] = [];
  walk(schema, '', true, schema.definitions ?? {}, rows);
  return rows;
}

/** fleetReferenceMarkdown is the text of docs/fleet-reference.md: every field of the fleet file and cluster records. */
export function fleetReferenceMarkdown(): string {
  const fleet = fleetSchema as unknown as Schema;
  const cluster = clusterSchema as unknown as Schema;
  const selectorRows: Row[] = [];
  walk({ ...fleet.definitions!.labelSelector!, description: undefined }, '', true, fleet.definitions ?? {}, selectorRows);
  return [
    '# Fleet file and cluster record reference',
    '',
    'Every field of `flotilla.yaml` and of the cluster records (`clusters/NAME/cluster.yaml`), with its',
    'type, whether it is required, its default and what it means. This page is generated from the JSON',
    'Schemas the loader validates with (`src/fleet/schema.ts`) by `npm run docs`, and a test fails when',
    'it is out of step, so it lists exactly what Flotilla accepts: any other field is an error. The same',
    'schemas are published for editors as `docs/schema/fleet.schema.json` and',
    '`docs/schema/cluster.schema.json`. What the fields do together, the checks beyond the schema',
    '(references, cycles, templates, paths) and the decisions behind them are in [fleet.md](fleet.md);',
    'worked layouts are in [fleet-patterns.md](fleet-patterns.md).',
    '',
    'In field paths, `[]` stands for every entry of a list. Durations are Go-style (`30s`, `5m`,',
    '`1h30m`). Templates (`{{cluster.name}}`, `{{cluster.labels.KEY}}`, `{{cluster.identity.KEY}}`,',
    '`{{release.name}}`) work only where a field says so.',
    '',
    `## Fleet file (\`flotilla.yaml\`, \`kind: Fleet\`)`,
    '',
    ...table(reference(fleet)),
    '',
    `## Cluster record (\`kind: Cluster\`)`,
    '',
    ...table(reference(cluster)),
    '',
    `## ${shared.labelSelector!.title}`,
    '',
    md(fleet.definitions!.labelSelector!.description ?? ''),
    '',
    ...table(selectorRows),
    '',
    '## Cluster template',
    '',
    '`spec.clusterTemplate.path` names a directory of the fleet repository. `flotilla bootstrap NAME`',
    'copies every file under it into `clusters/NAME/` (keeping sub-directories) and replaces',
    '`{{cluster.name}}`, `{{cluster.labels.KEY}}` and `{{cluster.identity.KEY}}` in each file\'s text, comments',
    'included; file names are copied as they are. A key the new cluster does not have is an error',
    'naming the file and line, never an empty string; `{{release.name}}` is refused. A template may not',
    'hold `cluster.yaml` (bootstrap writes the record from its options), and a `.yaml` file must still',
    'parse once expanded, so quote values that start with a template: `cluster: "{{cluster.name}}"`.',
    '`flotilla init` writes such a template to `templates/cluster/` and builds its own clusters from it.',
    '',
  ].join('\n');
}
