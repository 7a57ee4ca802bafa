import { posix } from 'node:path';
import type { RenderFs } from '../fs.js';

/**
 * memoryFs is a RenderFs over an in-memory tree: `{ '/repo/base/kustomization.yaml': '…' }`.
 * Directories exist wherever a file is below them. Entries whose value is `{ symlink: target }`
 * are symbolic links (to an absolute path), so load restrictions can be tested without a disk.
 */
export function memoryFs(files: Record<string, string | Uint8Array | { symlink: string }>): RenderFs {
  const entries = new Map<string, string | Uint8Array | { symlink: string }>();
  const dirs = new Set<string>(['/']);
  for (const [path, content] of Object.entries(files)) {
    const p = posix.normalize(path);
    entries.set(p, content);
    for (let d = posix.dirname(p); !dirs.has(d); d = posix.dirname(d)) dirs.add(d);
  }
  // As the kernel does, one lookup follows at most 40 links in all: a link to an ancestor
  // (`a/loop -> ..`) makes every path below it valid, but only so deep.
  const resolve = (path: string, hops = { count: 0 }): string => {
    const parts = posix.normalize(path).split('/').filter(Boolean);
    let at = '/';
    for (let i = 0; i < parts.length; i++) {
      const next = posix.join(at, parts[i]!);
      const entry = entries.get(next);
      if (entry && typeof entry === 'object' && 'symlink' in entry) {
        if (++hops.count > 40) throw Object.assign(new Error(`${path}: too many levels of symbolic links`), { code: 'ELOOP' });
        at = resolve(posix.resolve(posix.dirname(next), entry.symlink), hops);
      } else {
        at = next;
      }
    }
    return at;
  };
  const missing = (path: string) => Object.assign(new Error(`ENOENT: no such file or directory, ${path}`), { code: 'ENOENT' });
  return {
    readFile(path) {
      const real = resolve(path);
      const entry = entries.get(real);
      if (entry === undefined || (typeof entry === 'object' && 'symlink' in entry)) throw missing(path);
      return typeof entry === 'string' ? new TextEncoder().encode(entry) : entry;
    },
    stat(path) {
      // As a disk's stat: a loop of links is nothing to read (RenderFs.stat never throws).
      let real: string;
      try {
        real = resolve(path);
      } catch {
        return undefined;
      }
      if (dirs.has(real)) return { kind: 'directory', size: 0 };
      const entry = entries.get(real);
      if (entry === undefined || (typeof entry === 'object' && 'symlink' in entry)) return undefined;
      return { kind: 'file', size: typeof entry === 'string' ? Buffer.byteLength(entry) : entry.byteLength };
    },
    readdir(path) {
      const real = resolve(path);
      const prefix = real.endsWith('/') ? real : real + '/';
      const names = new Set<string>();
      for (const p of [...entries.keys(), ...dirs]) {
        if (p.startsWith(prefix) && p !== real) names.add(p.slice(prefix.length).split('/')[0]!);
      }
      return [...names].sort();
    },
    realpath(path) {
      const real = resolve(path);
      if (!dirs.has(real) && !entries.has(real)) throw missing(path);
      return real;
    },
  };
}
