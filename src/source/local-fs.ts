import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import type { RenderFs } from '../render/fs.js';

/** localFs reads a directory tree on the local disk (a checkout or a working tree). */
export const localFs: RenderFs = {
  readFile: (path) => readFileSync(path),
  stat(path) {
    try {
      const s = statSync(path);
      return { kind: s.isDirectory() ? 'directory' : 'file', size: s.size };
    } catch {
      return undefined;
    }
  },
  readdir: (path) => readdirSync(path),
  realpath: (path) => realpathSync(path),
};
