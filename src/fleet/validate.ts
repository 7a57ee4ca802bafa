import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ErrorCode, Issue } from '../core/index.js';
import { clusterSchema, fleetSchema, patternMeanings } from './schema.js';
import { fieldIssue, type FieldPath, type SourceFile } from './source-file.js';
import { closest } from './suggest.js';

let compiled: { fleet: ValidateFunction; cluster: ValidateFunction } | undefined;

// Compiled once per process: compiling is the slow part of ajv, validating is cheap.
function validators(): { fleet: ValidateFunction; cluster: ValidateFunction } {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    compiled = { fleet: ajv.compile(fleetSchema), cluster: ajv.compile(clusterSchema) };
  }
  return compiled;
}

/**
 * validateDocument checks one document against the fleet or cluster schema and returns every
 * problem, each naming the file, line, field path and what is allowed there.
 */
export function validateDocument(kind: 'fleet' | 'cluster', value: unknown, source: SourceFile, code: ErrorCode): Issue[] {
  const validate = validators()[kind];
  if (validate(value)) return [];
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const described = describe(error);
    if (!described) continue;
    const key = `${described.path.join('\u0000')}\u0001${described.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(fieldIssue(code, source, described.path, described.message, { atKey: described.atKey, hint: described.hint }));
  }
  return issues;
}

function pathOf(instancePath: string): (string | number)[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'object':
      return 'a map';
    case 'string':
      return `the string ${JSON.stringify(value)}`;
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `the boolean ${value}`;
    default:
      return typeof value;
  }
}

const typeWords: Record<string, string> = {
  string: 'a string',
  object: 'a map',
  array: 'a list',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
};

interface Described {
  path: FieldPath;
  message: string;
  atKey?: boolean;
  hint?: string;
}

function describe(error: ErrorObject): Described | undefined {
  const path = pathOf(error.instancePath);
  const parent = error.parentSchema as Record<string, unknown> | undefined;
  const data = error.data;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const allowed = Object.keys((parent?.properties as Record<string, unknown>) ?? {});
      const suggestion = closest(field, allowed);
      return {
        path: [...path, field],
        atKey: true,
        message: `unknown field "${field}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; allowed here: ${allowed.join(', ')}`,
        hint: 'Remove the field or correct its spelling; docs/schema/ has the full schema for editors.',
      };
    }
    case 'required':
      return { path, message: `the field "${String(params.missingProperty)}" is required` };
    case 'type': {
      const types = String(params.type).split(',');
      return { path, message: `must be ${types.map((t) => typeWords[t] ?? t).join(' or ')}, not ${typeName(data)}` };
    }
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}, not ${typeName(data)}` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const suggestion = typeof data === 'string' ? closest(data, (params.allowedValues as unknown[]).map(String)) : undefined;
      return { path, message: `must be one of ${allowed.join(', ')}, not ${typeName(data)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}` };
    }
    case 'pattern': {
      const pattern = String(params.pattern);
      const meaning = patternMeanings[pattern] ?? `text matching ${pattern}`;
      if (error.propertyName !== undefined) {
        return { path: [...path, error.propertyName], atKey: true, message: `the key "${error.propertyName}" is not ${meaning}` };
      }
      return { path, message: `must be ${meaning}, not ${typeName(data)}` };
    }
    case 'propertyNames':
      // The nested pattern error says what is wrong with the key; this one only repeats it.
      return undefined;
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'maxLength':
      return { path, message: `must be at most ${String(params.limit)} characters long, not ${String(data).length}` };
    case 'minItems':
      return { path, message: `must list at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}` };
    case 'minimum':
      return { path, message: `must be at least ${String(params.limit)}, not ${typeName(data)}` };
    case 'minProperties':
    case 'maxProperties': {
      const allowed = Object.keys((parent?.properties as Record<string, unknown>) ?? {});
      return { path, message: `must set exactly one of ${allowed.join(', ')}` };
    }
    default:
      return { path, message: error.message ?? `is invalid (${error.keyword})` };
  }
}
