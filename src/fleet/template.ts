// Templates in the fleet file: {{cluster.name}}, {{cluster.labels.KEY}}, {{cluster.identity.KEY}}
// and {{release.name}}. No logic and no functions, so a fleet file can be read without running
// anything; an unknown key is an error, never an empty string (SPEC §2.3).

/** TemplateRef is one `{{…}}` reference. */
export type TemplateRef =
  | { kind: 'cluster.name' }
  | { kind: 'release.name' }
  | { kind: 'cluster.labels'; key: string }
  | { kind: 'cluster.identity'; key: string };

/** TemplatePart is literal text or a reference. */
export type TemplatePart = string | TemplateRef;

/** templateKeys lists the forms a template may take, for messages. */
export const templateKeys = '{{cluster.name}}, {{cluster.labels.KEY}}, {{cluster.identity.KEY}}, {{release.name}}';

/** hasTemplate tells whether a string holds a template. */
export function hasTemplate(text: string): boolean {
  return text.includes('{{');
}

/** parseTemplate splits a string into text and references, or says why it is not a valid template. */
export function parseTemplate(text: string): { parts: TemplatePart[] } | { error: string } {
  const parts: TemplatePart[] = [];
  let rest = text;
  for (;;) {
    const open = rest.indexOf('{{');
    if (open < 0) {
      if (rest) parts.push(rest);
      return { parts };
    }
    if (open > 0) parts.push(rest.slice(0, open));
    const close = rest.indexOf('}}', open + 2);
    if (close < 0) return { error: `"${text}" opens a template with {{ but never closes it with }}` };
    const inner = rest.slice(open + 2, close).trim();
    const ref = parseRef(inner);
    if (!ref) {
      const why = /[|()\s]/.test(inner) ? 'templates hold one key, no functions, pipes or logic' : `unknown template key "${inner}"`;
      return { error: `${why}; allowed: ${templateKeys}` };
    }
    parts.push(ref);
    rest = rest.slice(close + 2);
  }
}

function parseRef(inner: string): TemplateRef | undefined {
  if (inner === 'cluster.name') return { kind: 'cluster.name' };
  if (inner === 'release.name') return { kind: 'release.name' };
  for (const kind of ['cluster.labels', 'cluster.identity'] as const) {
    if (inner.startsWith(`${kind}.`)) {
      const key = inner.slice(kind.length + 1);
      if (key && !/\s/.test(key)) return { kind, key };
    }
  }
  return undefined;
}

/** TemplateContext is what templates of one target may name. */
export interface TemplateContext {
  cluster: { name: string; labels: Readonly<Record<string, string>>; identity: Readonly<Record<string, string>> };
  release: { name: string };
}

/** expandTemplate fills a template for one target; a key the cluster does not have is an error. */
export function expandTemplate(text: string, ctx: TemplateContext): { value: string } | { error: string } {
  if (!hasTemplate(text)) return { value: text };
  const parsed = parseTemplate(text);
  if ('error' in parsed) return parsed;
  let value = '';
  for (const part of parsed.parts) {
    if (typeof part === 'string') {
      value += part;
      continue;
    }
    switch (part.kind) {
      case 'cluster.name':
        value += ctx.cluster.name;
        break;
      case 'release.name':
        value += ctx.release.name;
        break;
      case 'cluster.labels':
      case 'cluster.identity': {
        const map = part.kind === 'cluster.labels' ? ctx.cluster.labels : ctx.cluster.identity;
        if (!Object.prototype.hasOwnProperty.call(map, part.key)) {
          const what = part.kind === 'cluster.labels' ? 'label' : 'identity key';
          const known = Object.keys(map);
          return { error: `{{${part.kind}.${part.key}}}: cluster ${ctx.cluster.name} has no ${what} "${part.key}" (it has: ${known.length ? known.join(', ') : 'none'})` };
        }
        value += map[part.key];
        break;
      }
    }
  }
  return { value };
}
