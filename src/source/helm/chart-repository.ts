import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import { parseHelmYaml } from '../../render/helm/index.js';
import { redact, type SyncFetch } from './fetch-sync.js';

/** ChartVersion is one entry of a chart repository's index.yaml. */
export interface ChartVersion {
  name: string;
  version: string;
  /** The archive URL, made absolute against the repository URL. */
  url: string;
  /** The hex SHA-256 of the archive, when the index lists one. */
  digest?: string;
}

/** ChartRepositoriesOptions say where archives are cached and how URLs are fetched. */
export interface ChartRepositoriesOptions {
  cacheDir: string;
  fetch: SyncFetch;
  /** The largest index.yaml read. @default 128 MiB */
  maxIndexBytes?: number;
  /** The largest chart archive read. @default 64 MiB */
  maxArchiveBytes?: number;
}

/** DownloadedChart is an archive in the cache, verified against its digest. */
export interface DownloadedChart {
  file: string;
  /** `sha256:<hex>` */
  digest: string;
  /** Set when the same chart version had another digest the last time it was fetched. */
  changedFrom?: string;
}

type Index = Map<string, ChartVersion[]>;

/**
 * ChartRepositories reads HTTP chart repositories: index.yaml once per repository per instance
 * (one render), versions resolved with semver as helm resolves them, archives downloaded into a
 * cache keyed by digest and verified against the digest the index lists. The digest each chart
 * version had is remembered in the cache, so a chart republished under the same version is noticed.
 */
export class ChartRepositories {
  private readonly indexes = new Map<string, Result<Index>>();
  private readonly archives = new Map<string, Result<DownloadedChart>>();

  constructor(private readonly options: ChartRepositoriesOptions) {}

  /** resolve finds the newest version of a chart that satisfies the range (the newest stable one without a range). */
  resolve(repo: string, name: string, range: string | undefined): Result<ChartVersion> {
    const index = this.index(repo);
    if (!index.ok) return index;
    const versions = index.value.get(name);
    if (!versions?.length) {
      const names = [...index.value.keys()].sort();
      return fail(
        new FlotillaError('HELM_CHART_NOT_FOUND', `chart repository ${redact(repo)} has no chart "${name}"; it lists ${names.slice(0, 10).join(', ') || 'no charts'}${names.length > 10 ? `, … (${names.length})` : ''}`, {
          hint: 'Check the chart name against the repository index.yaml.',
        }),
      );
    }
    const exact = versions.find((v) => v.version === range || v.version === `v${range}` || `v${v.version}` === range);
    if (exact) return ok(exact);
    const wanted = (range ?? '').replace(/\s*,\s*/g, ' ').trim() || '*';
    if (semver.validRange(wanted, { loose: true }) === null) {
      return fail(new FlotillaError('HELM_CHART_NOT_FOUND', `"${range}" is not a version or a semver range`, { hint: 'Write a version (1.2.3) or a range (1.2.x, ^1.2.0, >=1.2.0 <2.0.0).' }));
    }
    const candidates = versions.filter((v) => semver.valid(v.version, { loose: true }));
    const best = semver.maxSatisfying(
      candidates.map((v) => v.version),
      wanted,
      { loose: true, includePrerelease: /-/.test(wanted) },
    );
    if (best === null) {
      const listed = candidates.map((v) => v.version).sort((a, b) => semver.rcompare(a, b, true));
      return fail(
        new FlotillaError('HELM_CHART_NOT_FOUND', `chart repository ${redact(repo)} has no version of "${name}" in the range "${range ?? '*'}"; it lists ${listed.slice(0, 8).join(', ')}${listed.length > 8 ? ', …' : ''}`, {
          hint: 'Widen the version range, or publish a version in it.',
        }),
      );
    }
    return ok(versions.find((v) => v.version === best)!);
  }

  /**
   * download gives the cached archive of a chart version, downloading and verifying it when the
   * cache does not hold that digest yet. `key` names the chart version for change detection.
   */
  download(url: string, expected: string | undefined, key: string): Result<DownloadedChart> {
    const memo = this.archives.get(`${key}\n${url}\n${expected ?? ''}`);
    if (memo) return memo;
    const result = this.fetchArchive(url, expected, key);
    this.archives.set(`${key}\n${url}\n${expected ?? ''}`, result);
    return result;
  }

  private fetchArchive(url: string, expected: string | undefined, key: string): Result<DownloadedChart> {
    const dir = join(this.options.cacheDir, 'archives');
    let digest = expected ? expected.toLowerCase().replace(/^sha256:/, '') : undefined;
    let file = digest ? join(dir, `sha256-${digest}.tgz`) : undefined;
    if (!file || !existsSync(file) || sha256(readFileSync(file)) !== digest) {
      const body = this.options.fetch(url, { maxBytes: this.options.maxArchiveBytes ?? 64 * 1024 * 1024 });
      if (!body.ok) return body;
      const actual = sha256(body.value);
      if (digest && actual !== digest) {
        return fail(
          new FlotillaError('HELM_CHART_DIGEST_MISMATCH', `${redact(url)}: the archive has digest sha256:${actual}, but the repository index lists sha256:${digest}`, {
            hint: 'The archive was changed after the index was written, or corrupted on the way. Ask the repository owner to republish the chart and its index.',
          }),
        );
      }
      digest = actual;
      file = join(dir, `sha256-${digest}.tgz`);
      writeAtomically(file, body.value);
    }
    const changedFrom = this.remember(key, `sha256:${digest}`);
    return ok({ file, digest: `sha256:${digest}`, ...(changedFrom ? { changedFrom } : {}) });
  }

  // The digest each chart version had when last fetched, in the cache directory.
  private remember(key: string, digest: string): string | undefined {
    const file = join(this.options.cacheDir, 'seen-digests.json');
    let seen: Record<string, string> = {};
    try {
      seen = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      seen = {};
    }
    const before = seen[key];
    if (before === digest) return undefined;
    seen[key] = digest;
    writeAtomically(file, Buffer.from(JSON.stringify(seen, null, 1) + '\n'));
    return before;
  }

  private index(repo: string): Result<Index> {
    let result = this.indexes.get(repo);
    if (!result) {
      result = this.fetchIndex(repo);
      this.indexes.set(repo, result);
    }
    return result;
  }

  private fetchIndex(repo: string): Result<Index> {
    const base = repo.endsWith('/') ? repo : repo + '/';
    const url = base + 'index.yaml';
    const maxBytes = this.options.maxIndexBytes ?? 128 * 1024 * 1024;
    const body = this.options.fetch(url, { maxBytes });
    if (!body.ok) return body;
    const docs = parseHelmYaml(body.value.toString('utf8'), redact(url), maxBytes, { strings: true });
    if (!docs.ok) return fail(...docs.issues.map((i) => new FlotillaError('HELM_REPO_UNAVAILABLE', i.message, { retryable: true })));
    const entries = (docs.value[0]?.value as { entries?: unknown } | undefined)?.entries;
    if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) {
      return fail(new FlotillaError('HELM_REPO_UNAVAILABLE', `${redact(url)}: not a chart repository index (no entries map)`, { hint: 'Check that the URL is the chart repository, the directory that holds index.yaml.' }));
    }
    const index: Index = new Map();
    for (const [name, list] of Object.entries(entries as Record<string, unknown>)) {
      if (!Array.isArray(list)) continue;
      const versions: ChartVersion[] = [];
      for (const entry of list as { version?: unknown; urls?: unknown; digest?: unknown }[]) {
        const first = Array.isArray(entry?.urls) ? entry.urls[0] : undefined;
        if (entry?.version === undefined || typeof first !== 'string') continue;
        let absolute: string;
        try {
          absolute = new URL(first, base).toString();
        } catch {
          continue;
        }
        versions.push({ name, version: String(entry.version), url: absolute, ...(typeof entry.digest === 'string' && entry.digest ? { digest: entry.digest } : {}) });
      }
      index.set(name, versions);
    }
    return ok(index);
  }
}

/** sha256 is the hex SHA-256 of some bytes. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** writeAtomically writes a file through a temporary name, so concurrent renders never read half of it. */
export function writeAtomically(file: string, bytes: Uint8Array): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}
