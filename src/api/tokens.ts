import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { FlotillaError } from '../core/index.js';
import { parseYamlStream } from '../manifest/index.js';
import { roles, type Principal, type Role } from './roles.js';

// API tokens (SPEC §9): a YAML list of {name, role, token} or {name, role, sha256} from --tokens
// FILE (or the env FLOTILLA_TOKENS holding the same YAML). Only SHA-256 hashes are kept in memory;
// a presented token is hashed and compared with every entry in constant time, so neither the
// answer nor its timing tells how much of a token was right. The file is re-read when it changes;
// a file that no longer reads leaves no valid token (fail closed) until it is fixed.

/** TokenEntry is one entry of the tokens file, as kept: the hash, never the token. */
export interface TokenEntry extends Principal {
  /** SHA-256 of the token. */
  hash: Buffer;
}

/** TokenAuthority answers who a request's Authorization header belongs to. */
export interface TokenAuthority {
  /** authenticate answers the principal of `Bearer TOKEN`, or undefined for none or an unknown token. */
  authenticate(authorization: string | undefined): Principal | undefined;
}

/** sha256Hex is the hex SHA-256 of a token, the form the tokens file's `sha256` field takes. */
export function sha256Hex(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

const entryKeys = new Set(['name', 'role', 'token', 'sha256', 'cluster']);

/** parseTokens reads the tokens file's YAML text into entries, or throws HUB_TOKENS_INVALID naming the entry. */
export function parseTokens(text: string, file: string): TokenEntry[] {
  const invalid = (field: string, why: string) => new FlotillaError('HUB_TOKENS_INVALID', `${file}: ${field}: ${why}`, { file, field });
  const parsed = parseYamlStream(text, { file, maxBytes: 1024 * 1024, uniqueKeys: true });
  if (!parsed.ok) {
    // The parser quotes the offending source, which may be a token: keep only where it is.
    const where = /\(line \d+, column \d+\)/.exec(parsed.issues[0]!.message)?.[0] ?? '';
    throw new FlotillaError('HUB_TOKENS_INVALID', `${file}: the YAML does not parse${where ? ` ${where}` : ''}`, { file });
  }
  const list = parsed.value.length === 0 ? [] : parsed.value[0]!.value;
  if (parsed.value.length > 1 || !Array.isArray(list)) throw invalid('(root)', 'the file must hold one YAML list of {name, role, token | sha256}');
  const entries: TokenEntry[] = [];
  const names = new Set<string>();
  const hashes = new Set<string>();
  list.forEach((raw: unknown, i: number) => {
    const at = `[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalid(at, 'each entry must be a map {name, role, token | sha256}');
    const entry = raw as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (!entryKeys.has(key)) throw invalid(`${at}.${key}`, `unknown field; an entry has name, role, token or sha256, and cluster for agents`);
    if (typeof entry.name !== 'string' || entry.name.trim() === '') throw invalid(`${at}.name`, 'a name is required (it is the actor in the audit log)');
    const where = `${at} (${entry.name})`;
    if (names.has(entry.name)) throw invalid(`${where}.name`, 'two entries have this name');
    names.add(entry.name);
    if (typeof entry.role !== 'string' || !roles.includes(entry.role as Role)) throw invalid(`${where}.role`, `the role must be one of ${roles.join(', ')}`);
    const role = entry.role as Role;
    if ((entry.token === undefined) === (entry.sha256 === undefined)) throw invalid(where, 'give exactly one of token and sha256');
    let hex: string;
    if (entry.token !== undefined) {
      if (typeof entry.token !== 'string' || entry.token === '') throw invalid(`${where}.token`, 'the token must be a non-empty string (quote it if YAML reads it as a number)');
      hex = sha256Hex(entry.token);
    } else {
      if (typeof entry.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(entry.sha256)) throw invalid(`${where}.sha256`, 'sha256 must be the 64 hex digits of the SHA-256 of the token (quoted), e.g. from `printf %s TOKEN | sha256sum`');
      hex = entry.sha256.toLowerCase();
    }
    if (hashes.has(hex)) throw invalid(where, 'two entries have the same token; each token must name one actor');
    hashes.add(hex);
    if (role === 'agent') {
      if (typeof entry.cluster !== 'string' || entry.cluster === '') throw invalid(`${where}.cluster`, 'an agent token needs the cluster it reports for');
    } else if (entry.cluster !== undefined) {
      throw invalid(`${where}.cluster`, 'only agent tokens have a cluster');
    }
    entries.push({ name: entry.name, role, ...(role === 'agent' ? { cluster: entry.cluster as string } : {}), hash: Buffer.from(hex, 'hex') });
  });
  return entries;
}

/** matchToken finds the entry of a token, comparing its hash with every entry in constant time. */
export function matchToken(entries: readonly TokenEntry[], token: string): TokenEntry | undefined {
  const hash = createHash('sha256').update(token, 'utf8').digest();
  let found: TokenEntry | undefined;
  // No early exit: every entry is compared, so the time does not depend on which one matched.
  for (const entry of entries) if (timingSafeEqual(entry.hash, hash) && !found) found = entry;
  return found;
}

/** bearerToken reads the token of an `Authorization: Bearer TOKEN` header. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** TokenSourceOptions say where tokens come from and how to report a reload problem. */
export interface TokenSourceOptions {
  /** The --tokens file. */
  file?: string;
  /** The tokens YAML itself (the env FLOTILLA_TOKENS), used when there is no file. */
  text?: string;
  /** Told when a changed file no longer reads (every request is then refused). */
  onReloadError?: (error: FlotillaError) => void;
  /** Told when a changed file was read again. */
  onReload?: (count: number) => void;
}

/**
 * TokenSource holds the hub's tokens. With a file, each authentication first checks the file's
 * identity (inode, size, mtime, ctime) and re-reads it when it changed, so adding or revoking a
 * token takes effect at the next request without a restart.
 */
export class TokenSource implements TokenAuthority {
  private entries: TokenEntry[] = [];
  private stamp = '';
  private readonly options: TokenSourceOptions;
  /** The reason the tokens do not read now, when they do not. */
  problem?: FlotillaError;

  /** open reads the tokens once; a file or text that does not read is an error at start (HUB_TOKENS_INVALID). */
  static open(options: TokenSourceOptions): TokenSource {
    const source = new TokenSource(options);
    if (options.file !== undefined) {
      source.stamp = source.fileStamp();
      source.entries = source.readFile();
    } else {
      source.entries = parseTokens(options.text ?? '[]', 'FLOTILLA_TOKENS');
    }
    return source;
  }

  private constructor(options: TokenSourceOptions) {
    this.options = options;
  }

  /** count is the number of valid tokens now. */
  get count(): number {
    this.refresh();
    return this.entries.length;
  }

  authenticate(authorization: string | undefined): Principal | undefined {
    const token = bearerToken(authorization);
    if (token === undefined) return undefined;
    this.refresh();
    const entry = matchToken(this.entries, token);
    return entry ? { name: entry.name, role: entry.role, ...(entry.cluster ? { cluster: entry.cluster } : {}) } : undefined;
  }

  private refresh(): void {
    if (this.options.file === undefined) return;
    const stamp = this.fileStamp();
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    try {
      this.entries = this.readFile();
      this.problem = undefined;
      this.options.onReload?.(this.entries.length);
    } catch (error) {
      this.entries = [];
      this.problem = error as FlotillaError;
      this.options.onReloadError?.(this.problem);
    }
  }

  private fileStamp(): string {
    try {
      const s = statSync(this.options.file!);
      return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    } catch (error) {
      return `missing:${(error as NodeJS.ErrnoException).code}`;
    }
  }

  private readFile(): TokenEntry[] {
    const file = this.options.file!;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new FlotillaError('HUB_TOKENS_INVALID', `${file}: the tokens file cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, { file, cause: error });
    }
    return parseTokens(text, file);
  }
}
