import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import type { RenderFs } from '../render/fs.js';

/** localFs reads a directory tree on the local disk (a checkout or a working tree). */
export const localFs: RenderFs = {
  readFile(path) {
    // Reading a FIFO blocks until a writer comes, and a device such as /dev/zero never ends:
    // only regular files are read (stat follows links, so a link to one is refused too).
    const s = statSync(path);
    if (!s.isFile() && !s.isDirectory()) {
      const what = s.isFIFO() ? 'a FIFO' : s.isSocket() ? 'a socket' : s.isCharacterDevice() || s.isBlockDevice() ? 'a device' : 'not a regular file';
      throw Object.assign(new Error(`${path} is ${what}, not a regular file`), { code: 'ENOTREG' });
    }
    return readFileSync(path);
  },
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
