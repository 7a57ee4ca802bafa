import type { FleetFs } from './ports.js';

/**
 * globProblem says why a glob of cluster records cannot be used, or returns undefined: it must be
 * relative and stay inside the repository.
 */
export function globProblem(pattern: string): string | undefined {
  if (pattern.startsWith('/')) return 'must be relative to the repository root, not absolute';
  if (pattern.split('/').some((s) => s === '..')) return 'must stay inside the repository (no "..")';
  if (pattern.split('/').some((s) => s === '')) return 'has an empty path segment';
  return undefined;
}

function segmentRegex(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        const body = segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        source += `[${body}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * expandGlob lists the files under root matching a glob (`*`, `?`, `[abc]` within one path
 * segment, `**` for any number of directories), as sorted paths relative to root. Hidden
 * entries (starting with ".") match only patterns that name them.
 */
export function expandGlob(fs: FleetFs, root: string, pattern: string): string[] {
  const segments = pattern.split('/');
  const out = new Set<string>();
  const walk = (dir: string, rel: string, index: number): void => {
    if (index === segments.length) {
      if (fs.stat(dir)?.kind === 'file') out.add(rel);
      return;
    }
    const segment = segments[index]!;
    if (segment === '**') {
      walk(dir, rel, index + 1);
      for (const name of list(dir)) {
        if (name.startsWith('.')) continue;
        const path = `${dir}/${name}`;
        if (fs.stat(path)?.kind === 'directory') walk(path, rel ? `${rel}/${name}` : name, index);
      }
      return;
    }
    if (!/[*?[]/.test(segment)) {
      const path = `${dir}/${segment}`;
      if (fs.stat(path)) walk(path, rel ? `${rel}/${segment}` : segment, index + 1);
      return;
    }
    const regex = segmentRegex(segment);
    for (const name of list(dir)) {
      if (name.startsWith('.') && !segment.startsWith('.')) continue;
      if (regex.test(name)) walk(`${dir}/${name}`, rel ? `${rel}/${name}` : name, index + 1);
    }
  };
  const list = (dir: string): string[] => (fs.stat(dir)?.kind === 'directory' ? [...fs.readdir(dir)].sort() : []);
  walk(root.replace(/\/+$/, '') || '/', '', 0);
  return [...out].sort();
}
