import { posix } from 'node:path';
import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import { maxYamlBytes } from '../../manifest/index.js';
import type { RenderFs } from '../fs.js';

/** kustomizationFileNames are the names kustomize looks for in a directory, in its order. */
export const kustomizationFileNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** LoaderSession is what every loader of one build (or one fleet of builds) shares. */
export interface LoaderSession {
  fs: RenderFs;
  /** Paths in messages and provenance are relative to this directory. */
  displayRoot: string;
  /** When set, no kustomization directory may lie outside it (the repository root). */
  allowedRoot?: string;
}

/**
 * DirLoader reads the files of one kustomization directory under kustomize's default load
 * restriction (LoadRestrictionsRootOnly): a file must resolve, symbolic links followed, to a
 * place inside the directory; other kustomization directories (bases, components) may be
 * anywhere, but never the directory itself or one that contains a directory being built (a cycle).
 */
export class DirLoader {
  private constructor(
    readonly session: LoaderSession,
    /** The directory as named (normalized, absolute). */
    readonly dir: string,
    /** The directory with symbolic links resolved: the root files must stay in. */
    readonly real: string,
    readonly referrer: DirLoader | undefined,
  ) {}

  /** DirLoader.open makes the loader of the directory a build starts at. */
  static open(session: LoaderSession, dir: string): Result<DirLoader> {
    const path = posix.normalize(dir);
    const stat = session.fs.stat(path);
    const display = displayPath(session, path);
    if (!stat) return fail(new FlotillaError('FILE_NOT_FOUND', `${display}: no such directory`, { file: display }));
    if (stat.kind !== 'directory') return fail(new FlotillaError('RENDER_KUSTOMIZATION_NOT_FOUND', `${display}: is a file; build a directory that holds a kustomization`, { file: display }));
    const real = session.fs.realpath(path);
    if (session.allowedRoot && real !== session.allowedRoot && !isInside(session.allowedRoot, real)) {
      return fail(new FlotillaError('PATH_OUTSIDE_ROOT', `${display}: the directory is outside the repository root ${session.allowedRoot}`, { file: display }));
    }
    return ok(new DirLoader(session, path, real, undefined));
  }

  /** display is how messages name a path inside this directory. */
  display(rel = ''): string {
    return displayPath(this.session, rel ? posix.join(this.dir, rel) : this.dir);
  }

  /** stat says what a relative path names, following symbolic links. */
  stat(rel: string): { kind: 'file' | 'directory'; size: number } | undefined {
    return this.session.fs.stat(posix.join(this.dir, rel));
  }

  /**
   * resolveFile returns the real path of a file named relative to this directory, or an error
   * naming `file` and `field` when it is missing, a directory, or outside the directory.
   */
  resolveFile(rel: string, file: string, field: string): Result<string> {
    if (posix.isAbsolute(rel)) {
      return fail(new FlotillaError('PATH_OUTSIDE_ROOT', `${file}: ${field}: ${JSON.stringify(rel)} is an absolute path; name files relative to the kustomization`, { file, field }));
    }
    const path = posix.join(this.dir, rel);
    const stat = this.session.fs.stat(path);
    if (!stat) {
      return fail(new FlotillaError('RENDER_RESOURCE_NOT_FOUND', `${file}: ${field}: ${JSON.stringify(rel)} does not exist (${this.display(rel)})`, { file, field }));
    }
    if (stat.kind !== 'file') {
      return fail(new FlotillaError('RENDER_RESOURCE_NOT_FOUND', `${file}: ${field}: ${JSON.stringify(rel)} is a directory, not a file`, { file, field }));
    }
    const real = this.session.fs.realpath(path);
    if (!isInside(this.real, real)) {
      return fail(
        new FlotillaError('PATH_OUTSIDE_ROOT', `${file}: ${field}: ${JSON.stringify(rel)} resolves to ${real}, outside the kustomization root ${this.real}`, {
          file,
          field,
          hint: 'Files must be inside the directory of the kustomization that names them; turn the shared files into a base (a directory with its own kustomization) and list that directory instead.',
        }),
      );
    }
    return ok(real);
  }

  /** readBytes reads a file named relative to this directory, under the load restriction and the size limit. */
  readBytes(rel: string, file: string, field: string): Result<Uint8Array> {
    const resolved = this.resolveFile(rel, file, field);
    if (!resolved.ok) return resolved;
    const bytes = readLimited(this.session.fs, resolved.value, this.display(rel), field);
    return bytes.ok ? bytes : named(bytes.issues, file, field);
  }

  /** readText reads a UTF-8 text file named relative to this directory. */
  readText(rel: string, file: string, field: string): Result<string> {
    const bytes = this.readBytes(rel, file, field);
    if (!bytes.ok) return bytes;
    const text = decodeText(bytes.value, this.display(rel));
    return text.ok ? text : named(text.issues, file, field);
  }

  /**
   * sub makes the loader of another kustomization directory (a base or a component) named
   * relative to this one. It refuses a directory that is, or contains, one being built (a cycle).
   */
  sub(rel: string, file: string, field: string): Result<DirLoader> {
    if (posix.isAbsolute(rel)) {
      return fail(new FlotillaError('PATH_OUTSIDE_ROOT', `${file}: ${field}: ${JSON.stringify(rel)} is an absolute path; name directories relative to the kustomization`, { file, field }));
    }
    const path = posix.join(this.dir, rel);
    const stat = this.session.fs.stat(path);
    if (!stat) return fail(new FlotillaError('RENDER_RESOURCE_NOT_FOUND', `${file}: ${field}: ${JSON.stringify(rel)} does not exist (${this.display(rel)})`, { file, field }));
    if (stat.kind !== 'directory') return fail(new FlotillaError('RENDER_KUSTOMIZATION_NOT_FOUND', `${file}: ${field}: ${JSON.stringify(rel)} is a file, not a kustomization directory`, { file, field }));
    const real = this.session.fs.realpath(path);
    for (let at: DirLoader | undefined = this; at; at = at.referrer) {
      if (isInside(real, at.real) || real === at.real) {
        return fail(
          new FlotillaError('RENDER_CYCLE', `${file}: ${field}: ${JSON.stringify(rel)} (${real}) ${real === at.real ? 'is' : 'contains'} ${at.real}, which is already being built: the kustomizations form a cycle`, {
            file,
            field,
          }),
        );
      }
    }
    if (this.session.allowedRoot && !isInside(this.session.allowedRoot, real) && real !== this.session.allowedRoot) {
      return fail(new FlotillaError('PATH_OUTSIDE_ROOT', `${file}: ${field}: ${JSON.stringify(rel)} resolves to ${real}, outside the repository root ${this.session.allowedRoot}`, { file, field }));
    }
    return ok(new DirLoader(this.session, path, real, this));
  }

  /** chain lists the real directories being built, innermost first (for cycle checks of cached builds). */
  chain(): string[] {
    const out: string[] = [];
    for (let at: DirLoader | undefined = this; at; at = at.referrer) out.push(at.real);
    return out;
  }
}

// A file that cannot be read or decoded names only itself; the message says which entry of which
// kustomization named it (generator files, patch files, configurations), as resources do.
function named(issues: readonly FlotillaError[], file: string, field: string): Result<never> {
  return fail(...issues.map((i) => new FlotillaError(i.code, `${file}: ${field}: ${i.message}`, { file: i.file ?? file, field, hint: i.hint, cause: i })));
}

/** isInside says whether `path` lies strictly below directory `dir`. */
export function isInside(dir: string, path: string): boolean {
  return path.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

/** displayPath names an absolute path relative to the session's display root. */
export function displayPath(session: LoaderSession, path: string): string {
  const rel = posix.relative(session.displayRoot, path);
  // The root itself is named in full: "." says nothing in a message.
  return rel === '' ? path : rel;
}

/** readLimited reads a file after checking its size, so a huge file fails fast instead of filling memory. */
export function readLimited(fs: RenderFs, path: string, display: string, field?: string): Result<Uint8Array> {
  const stat = fs.stat(path);
  if (stat && stat.size > maxYamlBytes) {
    return fail(
      new FlotillaError('FILE_TOO_LARGE', `${display}: ${stat.size} bytes is more than the ${maxYamlBytes}-byte limit for a file a kustomization reads`, { file: display, field }),
    );
  }
  try {
    return ok(fs.readFile(path));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') return fail(new FlotillaError('RENDER_RESOURCE_NOT_FOUND', `${display}: no such file`, { file: display, field }));
    // A FIFO, a device, a loop of links, a directory or a permission: the file is there but unreadable.
    return fail(new FlotillaError('FILE_UNREADABLE', `${display}: cannot be read: ${(error as Error).message}`, { file: display, field, cause: error }));
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** decodeText decodes UTF-8, refusing bytes that are not text. */
export function decodeText(bytes: Uint8Array, display: string): Result<string> {
  try {
    return ok(utf8.decode(bytes));
  } catch {
    const utf16 = utf16Bom(bytes);
    if (utf16) {
      return fail(
        new FlotillaError('FILE_NOT_TEXT', `${display}: the file is ${utf16} text (it starts with a byte order mark); Flotilla reads UTF-8`, {
          file: display,
          hint: 'Save the file as UTF-8 (PowerShell 5 redirection writes UTF-16: use Out-File -Encoding utf8).',
        }),
      );
    }
    return fail(new FlotillaError('FILE_NOT_TEXT', `${display}: the file is not valid UTF-8 text`, { file: display }));
  }
}

/** utf16Bom names the encoding a UTF-16 or UTF-32 byte order mark announces, if the bytes start with one. */
export function utf16Bom(bytes: Uint8Array): string | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0xff && b === 0xfe) return c === 0 && d === 0 ? 'UTF-32LE' : 'UTF-16LE';
  if (a === 0xfe && b === 0xff) return 'UTF-16BE';
  if (a === 0 && b === 0 && c === 0xfe && d === 0xff) return 'UTF-32BE';
  return undefined;
}
