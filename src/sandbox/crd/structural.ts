// What the apiextensions server does with a custom resource and its version's openAPIV3Schema:
// prune fields the schema does not declare (unless x-kubernetes-preserve-unknown-fields), fill in
// `default`s, and validate types, required fields, enums, bounds and patterns. The messages are
// kube-openapi's (`spec.size in body must be of type integer: "string"`).
import type { FieldError } from '../api/status.js';

type Json = Record<string, unknown>;
type Schema = Json;

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObj(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * pruneAndDefault removes undeclared fields and fills defaults in place, below the object's root,
 * and returns the paths of the fields it removed (fieldValidation=Strict refuses them instead).
 */
export function pruneAndDefault(object: Json, schema: Schema | undefined, fillDefaults = true): string[] {
  const pruned: string[] = [];
  if (!schema) return pruned;
  const properties = isObj(schema.properties) ? schema.properties : {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
    const sub = properties[key];
    if (!isObj(sub) && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
      delete object[key];
      pruned.push(key);
    } else if (isObj(sub)) object[key] = walk(value, sub, fillDefaults, key, pruned);
  }
  if (fillDefaults) applyDefaults(object, properties, true);
  return pruned;
}

function applyDefaults(target: Json, properties: Json, root: boolean): void {
  for (const [key, sub] of Object.entries(properties)) {
    if (root && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    if (target[key] === undefined && isObj(sub) && sub.default !== undefined) target[key] = walk(structuredClone(sub.default), sub, true, key, []);
  }
}

function walk(value: unknown, schema: Schema, fillDefaults: boolean, path: string, pruned: string[]): unknown {
  if (value === null || value === undefined) return value;
  if (schema['x-kubernetes-preserve-unknown-fields'] === true && !isObj(schema.properties) && !isObj(schema.additionalProperties)) return value;
  if (isObj(value)) {
    const properties = isObj(schema.properties) ? schema.properties : undefined;
    const additional = schema.additionalProperties;
    const out: Json = {};
    for (const [key, v] of Object.entries(value)) {
      const sub = properties?.[key];
      if (isObj(sub)) out[key] = walk(v, sub, fillDefaults, join(path, key), pruned);
      else if (isObj(additional)) out[key] = walk(v, additional, fillDefaults, join(path, key), pruned);
      else if (additional === true || schema['x-kubernetes-preserve-unknown-fields'] === true) out[key] = v;
      else if (schema['x-kubernetes-embedded-resource'] === true && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) out[key] = v;
      else if (!properties && additional === undefined && schema.type !== 'object') out[key] = v;
      else pruned.push(join(path, key));
    }
    if (properties && fillDefaults) applyDefaults(out, properties, false);
    return out;
  }
  if (Array.isArray(value)) {
    const items = isObj(schema.items) ? schema.items : undefined;
    return items ? value.map((v, i) => walk(v, items, fillDefaults, `${path}[${i}]`, pruned)) : value;
  }
  return value;
}

/** validateCustom checks a custom resource against its schema and returns every problem. */
export function validateCustom(object: Json, schema: Schema | undefined): FieldError[] {
  if (!schema) return [];
  const errors: FieldError[] = [];
  const properties = isObj(schema.properties) ? schema.properties : {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
    const sub = properties[key];
    if (isObj(sub)) check(value, sub, key, errors);
  }
  for (const req of Array.isArray(schema.required) ? schema.required : []) {
    if (typeof req === 'string' && object[req] === undefined && req !== 'metadata' && req !== 'apiVersion' && req !== 'kind') errors.push({ type: 'FieldValueRequired', field: req });
  }
  return errors;
}

function check(value: unknown, schema: Schema, path: string, errors: FieldError[]): void {
  if (value === null) {
    if (schema.nullable !== true && schema.type !== undefined) errors.push({ type: 'FieldValueInvalid', field: path, value: 'null', detail: `${path} in body must be of type ${String(schema.type)}: "null"` });
    return;
  }
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) {
      errors.push({ type: 'FieldValueInvalid', field: path, value: typeName(value), detail: `${path} in body must be of type integer,string: ${JSON.stringify(typeName(value))}` });
    }
    return;
  }
  const type = typeof schema.type === 'string' ? schema.type : undefined;
  if (type && !matchesType(value, type)) {
    errors.push({ type: 'FieldValueInvalid', field: path, value: typeName(value), detail: `${path} in body must be of type ${type}: ${JSON.stringify(typeName(value))}` });
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push({ type: 'FieldValueNotSupported', field: path, value, detail: `supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum)) {
      errors.push({ type: 'FieldValueInvalid', field: path, value, detail: `${path} in body should be greater than ${schema.exclusiveMinimum === true ? '' : 'or equal to '}${schema.minimum}` });
    }
    if (typeof schema.maximum === 'number' && (schema.exclusiveMaximum === true ? value >= schema.maximum : value > schema.maximum)) {
      errors.push({ type: 'FieldValueInvalid', field: path, value, detail: `${path} in body should be less than ${schema.exclusiveMaximum === true ? '' : 'or equal to '}${schema.maximum}` });
    }
  }
  if (typeof value === 'string') {
    if (typeof schema.maxLength === 'number' && [...value].length > schema.maxLength) errors.push({ type: 'FieldValueTooLong', field: path, value, detail: `may not be longer than ${schema.maxLength}` });
    if (typeof schema.minLength === 'number' && [...value].length < schema.minLength) errors.push({ type: 'FieldValueInvalid', field: path, value, detail: `${path} in body should be at least ${schema.minLength} chars long` });
    if (typeof schema.pattern === 'string') {
      let re: RegExp | undefined;
      try {
        re = new RegExp(schema.pattern, 'u');
      } catch {
        re = undefined;
      }
      if (re && !re.test(value)) errors.push({ type: 'FieldValueInvalid', field: path, value, detail: `${path} in body should match '${schema.pattern}'` });
    }
  }
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errors.push({ type: 'FieldValueTooMany', field: path, detail: `must have at most ${schema.maxItems} items` });
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push({ type: 'FieldValueInvalid', field: path, value: value.length, detail: `${path} in body should have at least ${schema.minItems} items` });
    const items = isObj(schema.items) ? schema.items : undefined;
    if (items) value.forEach((v, i) => check(v, items, `${path}[${i}]`, errors));
  }
  if (isObj(value)) {
    const properties = isObj(schema.properties) ? schema.properties : {};
    const additional = isObj(schema.additionalProperties) ? schema.additionalProperties : undefined;
    for (const [key, v] of Object.entries(value)) {
      const sub = properties[key];
      if (isObj(sub)) check(v, sub, join(path, key), errors);
      else if (additional) check(v, additional, join(path, key), errors);
    }
    for (const req of Array.isArray(schema.required) ? schema.required : []) {
      if (typeof req === 'string' && value[req] === undefined) errors.push({ type: 'FieldValueRequired', field: join(path, req) });
    }
  }
}
