import type { FleetFs } from './ports.js';

/**
 * globProblem says why a glob of cluster records cannot be used, or returns undefined: it must be
 * relative and stay inside the repository.
 */
export function globProblem(pattern: string): string | undefined {
  if (pattern.startsWith('/')) return 'must be relative to the repository root, not absolute';
  if (pattern.split('/').some((s) => s === '..')) return 'must stay inside the repository (no "..")';
  if (pattern.split('/').some((s) => s === '')) return 'has an empty path segment';
  for (const segment of pattern.split('/')) {
    const bad = segmentTokens(segment).find((t): t is { kind: 'class'; source: string; test?: undefined } => t.kind === 'class' && t.test === undefined);
    if (bad) return `has an invalid character class [${bad.source}]`;
  }
  return undefined;
}

type Token = { kind: 'star' } | { kind: 'any' } | { kind: 'char'; char: string } | { kind: 'class'; source: string; test?: (c: string) => boolean };

function segmentTokens(segment: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') tokens.push({ kind: 'star' });
    else if (c === '?') tokens.push({ kind: 'any' });
    else if (c === '[' && segment.indexOf(']', i + 1) > i + 1) {
      const end = segment.indexOf(']', i + 1);
      const source = segment.slice(i + 1, end);
      let test: ((c: string) => boolean) | undefined;
      try {
        // One character class matches one character: no backtracking to fear here.
        const re = new RegExp(`^[${source.replace(/^!/, '^').replace(/\\/g, '\\\\')}]$`);
        test = (ch) => re.test(ch);
      } catch {
        test = undefined;
      }
      tokens.push({ kind: 'class', source, test });
      i = end;
    } else tokens.push({ kind: 'char', char: c });
  }
  return tokens;
}

/**
 * segmentMatches matches one path segment against one glob segment (`*`, `?`, `[abc]`, `[!a-c]`)
 * in time proportional to their lengths' product: a star only ever backtracks to the last star,
 * so `*a*a*a*a*b` cannot take exponential time as a backtracking regular expression would.
 */
function segmentMatches(tokens: readonly Token[], name: string): boolean {
  let t = 0;
  let n = 0;
  let star = -1;
  let starAt = 0;
  const one = (token: Token | undefined, c: string): boolean =>
    token !== undefined && (token.kind === 'any' || (token.kind === 'char' && token.char === c) || (token.kind === 'class' && token.test !== undefined && token.test(c)));
  while (n < name.length) {
    if (tokens[t]?.kind === 'star') {
      star = t++;
      starAt = n;
    } else if (one(tokens[t], name[n]!)) {
      t++;
      n++;
    } else if (star >= 0) {
      t = star + 1;
      n = ++starAt;
    } else return false;
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}

/**
 * expandGlob lists the files under root matching a glob (`*`, `?`, `[abc]` within one path
 * segment, `**` for any number of directories), as sorted paths relative to root. Hidden
 * entries (starting with ".") match only patterns that name them.
 */
export function expandGlob(fs: FleetFs, root: string, pattern: string): string[] {
  const segments = pattern.split('/');
  const out = new Set<string>();
  const realOf = (path: string): string | undefined => {
    try {
      return fs.realpath(path);
    } catch {
      return undefined;
    }
  };
  // `**` does not enter a directory it is already inside (by its real path), as `find -L` does:
  // a link to an ancestor would otherwise make the walk endless, or exponential with two links.
  const walk = (dir: string, rel: string, index: number, inside: ReadonlySet<string>): void => {
    if (index === segments.length) {
      if (fs.stat(dir)?.kind === 'file') out.add(rel);
      return;
    }
    const segment = segments[index]!;
    if (segment === '**') {
      walk(dir, rel, index + 1, inside);
      const here = realOf(dir);
      const chain = here === undefined || inside.has(here) ? inside : new Set([...inside, here]);
      for (const name of list(dir)) {
        if (name.startsWith('.')) continue;
        const path = `${dir}/${name}`;
        if (fs.stat(path)?.kind !== 'directory') continue;
        const real = realOf(path);
        if (real === undefined || chain.has(real)) continue;
        walk(path, rel ? `${rel}/${name}` : name, index, new Set([...chain, real]));
      }
      return;
    }
    if (!/[*?[]/.test(segment)) {
      const path = `${dir}/${segment}`;
      if (fs.stat(path)) walk(path, rel ? `${rel}/${segment}` : segment, index + 1, inside);
      return;
    }
    const tokens = segmentTokens(segment);
    for (const name of list(dir)) {
      if (name.startsWith('.') && !segment.startsWith('.')) continue;
      if (segmentMatches(tokens, name)) walk(`${dir}/${name}`, rel ? `${rel}/${name}` : name, index + 1, inside);
    }
  };
  const list = (dir: string): string[] => (fs.stat(dir)?.kind === 'directory' ? [...fs.readdir(dir)].sort() : []);
  const start = root.replace(/\/+$/, '') || '/';
  walk(start, '', 0, new Set([realOf(start) ?? start]));
  return [...out].sort();
}
