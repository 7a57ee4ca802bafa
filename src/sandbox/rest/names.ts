// Name and label rules of apimachinery's validation package, with the messages of the 1.19 server
// (the conformance transcript's wording).

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1123Label = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123Subdomain = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1035Label = new RegExp(`^${dns1035LabelFmt}$`);
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedName = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueFmt = '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?';
const labelValue = new RegExp(`^${labelValueFmt}$`);

/** NameRule is how a kind's metadata.name is checked. */
export type NameRule = 'subdomain' | 'label' | 'dns1035' | 'path-segment';

/** nameProblems returns the messages of what is wrong with a name under a rule (empty when valid). */
export function nameProblems(name: string, rule: NameRule): string[] {
  switch (rule) {
    case 'subdomain':
      return isDns1123Subdomain(name);
    case 'label':
      return isDns1123Label(name);
    case 'dns1035': {
      const out: string[] = [];
      if (name.length > 63) out.push('must be no more than 63 characters');
      if (!dns1035Label.test(name)) {
        out.push(`a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '${dns1035LabelFmt}')`);
      }
      return out;
    }
    case 'path-segment': {
      if (name === '.' || name === '..') return [`may not be '${name}'`];
      const out: string[] = [];
      for (const bad of ['/', '%']) if (name.includes(bad)) out.push(`may not contain '${bad}'`);
      return out;
    }
  }
}

/** isDns1123Subdomain validates a DNS-1123 subdomain (most object names). */
export function isDns1123Subdomain(value: string): string[] {
  const out: string[] = [];
  if (value.length > 253) out.push('must be no more than 253 characters');
  if (!dns1123Subdomain.test(value)) {
    out.push(`a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${dns1123SubdomainFmt}')`);
  }
  return out;
}

/** isDns1123Label validates a DNS-1123 label (namespace names, container names). */
export function isDns1123Label(value: string): string[] {
  const out: string[] = [];
  if (value.length > 63) out.push('must be no more than 63 characters');
  if (!dns1123Label.test(value)) {
    out.push(`a DNS-1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '${dns1123LabelFmt}')`);
  }
  return out;
}

/** isQualifiedName validates a label or annotation key (`prefix/name`). */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  let name: string;
  const out: string[] = [];
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const [prefix, rest] = parts as [string, string];
    name = rest;
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else for (const msg of isDns1123Subdomain(prefix)) out.push(`prefix part ${msg}`);
  } else {
    return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${qualifiedNameFmt}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  if (name.length > 0 && !qualifiedName.test(name)) {
    out.push(`name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${qualifiedNameFmt}')`);
  }
  return out;
}

/** isValidLabelValue validates a label value. */
export function isValidLabelValue(value: string): string[] {
  const out: string[] = [];
  if (value.length > 63) out.push('must be no more than 63 characters');
  if (!labelValue.test(value)) {
    out.push(`a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '${labelValueFmt}')`);
  }
  return out;
}

/** isConfigMapKey validates a key of ConfigMap or Secret data. */
export function isConfigMapKey(value: string): string[] {
  const out: string[] = [];
  if (value.length > 253) out.push('must be no more than 253 characters');
  if (!/^[-._a-zA-Z0-9]+$/.test(value)) out.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  if (value === '.' || value === '..') out.push(`must not be '${value}'`);
  else if (value.startsWith('..')) out.push("must not start with '..'");
  return out;
}
