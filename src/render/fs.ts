/**
 * RenderFs is the file system a build reads through. Rendering is pure (no I/O of its own), so a
 * checkout on disk, a Git revision and an in-memory tree can all be built the same way.
 * Paths are absolute, with `/` separators.
 */
export interface RenderFs {
  /** readFile returns the file's bytes; it throws an error with code ENOENT when the file is missing. */
  readFile(path: string): Uint8Array;
  /** stat returns what is at the path, or undefined when nothing is. */
  stat(path: string): { kind: 'file' | 'directory'; size: number } | undefined;
  /** readdir lists the entry names of a directory. */
  readdir(path: string): string[];
  /** realpath resolves symbolic links (so load restrictions see where a path really leads). */
  realpath(path: string): string;
}
