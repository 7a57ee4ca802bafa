// Structured Kubernetes label selectors ({matchLabels, matchExpressions}), as the fleet file uses
// them to choose clusters and guards use them to match objects. They live here, below fleet and
// plan, because both pure areas need the same semantics and may not import each other.

/** LabelSelectorRequirement is one matchExpressions entry. */
export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** LabelSelector is a Kubernetes label selector: matchLabels and matchExpressions, all ANDed. An empty selector matches everything. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/**
 * selectorMatches tells whether a label map satisfies a selector, with the semantics of
 * apimachinery's LabelSelectorAsSelector: NotIn and DoesNotExist also match when the key is absent.
 */
export function selectorMatches(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  const map = labels ?? {};
  const has = (key: string) => Object.prototype.hasOwnProperty.call(map, key);
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!has(key) || map[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    switch (operator) {
      case 'In':
        if (!has(key) || !values.includes(map[key]!)) return false;
        break;
      case 'NotIn':
        if (has(key) && values.includes(map[key]!)) return false;
        break;
      case 'Exists':
        if (!has(key)) return false;
        break;
      case 'DoesNotExist':
        if (has(key)) return false;
        break;
    }
  }
  return true;
}

/** SelectorProblem is one reason a selector or label map is invalid: the field below it and why. */
export interface SelectorProblem {
  /** The field path below the selector or label map, e.g. `['matchExpressions', 0, 'values']`. */
  path: (string | number)[];
  message: string;
}

// Label keys: an optional DNS-subdomain prefix and a name of up to 63 characters (apimachinery
// IsQualifiedName); values: up to 63 characters of the same alphabet, or empty (IsValidLabelValue).
const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** labelKeyProblem says why a string is not a valid label key, or returns undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !dnsSubdomain.test(prefix))) {
    return `"${key}" is not a valid label key: the prefix before "/" must be a DNS subdomain (lower-case letters, digits, "-" and ".")`;
  }
  if (name.length === 0 || name.length > 63 || !labelName.test(name)) {
    return `"${key}" is not a valid label key: the name must be 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** labelValueProblem says why a string is not a valid label value, or returns undefined when it is. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !labelName.test(value)) {
    return `"${value}" is not a valid label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
  }
  return undefined;
}

/** labelsProblems checks every key and value of a label map. */
export function labelsProblems(labels: Readonly<Record<string, string>>): SelectorProblem[] {
  const out: SelectorProblem[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem) out.push({ path: [key], message: keyProblem });
    const valueProblem = labelValueProblem(value);
    if (valueProblem) out.push({ path: [key], message: valueProblem });
  }
  return out;
}

/**
 * selectorProblems checks what a JSON Schema cannot say about a selector: label syntax, values
 * required by In and NotIn and forbidden for Exists and DoesNotExist (as the API server checks).
 */
export function selectorProblems(selector: LabelSelector): SelectorProblem[] {
  const out: SelectorProblem[] = labelsProblems(selector.matchLabels ?? {}).map((p) => ({ path: ['matchLabels', ...p.path], message: p.message }));
  (selector.matchExpressions ?? []).forEach((requirement, i) => {
    const at = ['matchExpressions', i];
    const keyProblem = labelKeyProblem(requirement.key);
    if (keyProblem) out.push({ path: [...at, 'key'], message: keyProblem });
    const values = requirement.values ?? [];
    if ((requirement.operator === 'In' || requirement.operator === 'NotIn') && values.length === 0) {
      out.push({ path: [...at, 'values'], message: `operator ${requirement.operator} needs at least one value` });
    }
    if ((requirement.operator === 'Exists' || requirement.operator === 'DoesNotExist') && values.length > 0) {
      out.push({ path: [...at, 'values'], message: `operator ${requirement.operator} takes no values; remove values or use In / NotIn` });
    }
    values.forEach((value, j) => {
      const valueProblem = labelValueProblem(value);
      if (valueProblem) out.push({ path: [...at, 'values', j], message: valueProblem });
    });
  });
  return out;
}

/** formatSelector prints a selector in the kubectl syntax (`env=prod,region in (eu-west)`), for messages. */
export function formatSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    if (operator === 'Exists') parts.push(key);
    else if (operator === 'DoesNotExist') parts.push(`!${key}`);
    else parts.push(`${key} ${operator === 'In' ? 'in' : 'notin'} (${values.join(',')})`);
  }
  return parts.length ? parts.join(',') : '(everything)';
}
