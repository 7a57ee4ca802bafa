import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { FlotillaError, fail, ok, type Result } from '../../core/index.js';
import { parseHelmYaml, type HelmChart, type HelmChartSource, type HelmRenderer, type HelmTemplateRequest } from '../../render/helm/index.js';
import { ChartRepositories, writeAtomically } from './chart-repository.js';
import { fetchSync, redact, type SyncFetch } from './fetch-sync.js';

/** HelmCliOptions say which helm to run, where charts are cached, and the limits of one run. */
export interface HelmCliOptions {
  /** The helm binary: a path, or a name looked up on PATH. @default 'helm' */
  helm?: string;
  /** Where chart archives, chart directories and helm's own home are kept (defaultHelmCacheDir()). */
  cacheDir: string;
  /** How long one helm run may take. @default 120000 */
  timeoutMs?: number;
  /** The most output one helm run may print. @default 64 MiB */
  maxOutputBytes?: number;
  /** How URLs are downloaded. @default fetchSync */
  fetch?: SyncFetch;
  /** The environment helm is found in (its PATH). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** maxTemplateMemo bounds the helm outputs one HelmCli keeps (targets with the same chart and values share one run). */
const maxTemplateMemo = 512;

/**
 * HelmCli is the HelmRenderer that runs the real helm (3 or 4): `helm template` as a child process
 * with a timeout and an output cap, in a private helm home (no user plugins, repositories or
 * kubeconfig), with the chart stored in the cache directory by digest. Identical runs (same chart
 * digest, release, namespace, Kubernetes version and values) are done once per instance.
 */
export class HelmCli implements HelmRenderer {
  private readonly helm: string;
  private readonly repositories: ChartRepositories;
  private readonly memo = new Map<string, Result<string>>();
  private checked?: Result<string>;

  constructor(private readonly options: HelmCliOptions) {
    this.helm = options.helm ?? 'helm';
    this.repositories = new ChartRepositories({ cacheDir: options.cacheDir, fetch: options.fetch ?? fetchSync });
  }

  /** version checks once that helm runs and is version 3 or 4, and returns its version (`v4.1.4`). */
  version(): Result<string> {
    if (!this.checked) this.checked = this.checkVersion();
    return this.checked;
  }

  loadChart(source: HelmChartSource): Result<HelmChart> {
    if (source.type === 'directory') return this.loadDirectory(source);
    const helm = this.version();
    if (!helm.ok) return helm;
    if (source.type === 'repository') {
      const entry = this.repositories.resolve(source.repo, source.name, source.version);
      if (!entry.ok) return entry;
      const { name, version, url, digest } = entry.value;
      const archive = this.repositories.download(url, digest, `${source.repo.replace(/\/+$/, '')} ${name} ${version}`);
      if (!archive.ok) return archive;
      const values = this.archiveFile(archive.value.file, 'values');
      if (!values.ok) return values;
      return ok({
        name,
        version,
        digest: archive.value.digest,
        origin: redact(url),
        defaultValues: values.value,
        handle: archive.value.file,
        notes: archive.value.changedFrom ? [changedNote(`${name} ${version} of ${redact(source.repo)}`, archive.value.changedFrom, archive.value.digest)] : [],
      });
    }
    const archive = this.repositories.download(source.url, undefined, source.url);
    if (!archive.ok) return archive;
    const chartYaml = this.archiveFile(archive.value.file, 'chart');
    if (!chartYaml.ok) return chartYaml;
    const meta = chartMeta(chartYaml.value, redact(source.url));
    if (!meta.ok) return meta;
    const values = this.archiveFile(archive.value.file, 'values');
    if (!values.ok) return values;
    return ok({
      ...meta.value,
      digest: archive.value.digest,
      origin: redact(source.url),
      defaultValues: values.value,
      handle: archive.value.file,
      notes: archive.value.changedFrom ? [changedNote(redact(source.url), archive.value.changedFrom, archive.value.digest)] : [],
    });
  }

  template(chart: HelmChart, request: HelmTemplateRequest): Result<string> {
    const helm = this.version();
    if (!helm.ok) return helm;
    const input = JSON.stringify(request.values);
    const key = createHash('sha256').update(JSON.stringify([chart.digest, chart.handle, request.releaseName, request.namespace, request.kubeVersion ?? '', input])).digest('hex');
    const memo = this.memo.get(key);
    if (memo) return memo;
    const args = ['template', request.releaseName, chart.handle, '--namespace', request.namespace, '--include-crds', '--values', '-'];
    if (request.kubeVersion) args.push('--kube-version', request.kubeVersion);
    const child = this.run(args, input);
    let result: Result<string>;
    if (child.error || child.status !== 0) {
      result = fail(new FlotillaError('HELM_TEMPLATE_FAILED', `helm template of chart ${chart.name} ${chart.version} (${chart.origin}) failed: ${this.failure(child, chart)}`, { file: chart.origin, retryable: isTimeout(child) }));
    } else {
      result = ok(child.stdout.toString('utf8'));
    }
    if (this.memo.size >= maxTemplateMemo) this.memo.delete(this.memo.keys().next().value!);
    this.memo.set(key, result);
    return result;
  }

  private loadDirectory(source: Extract<HelmChartSource, { type: 'directory' }>): Result<HelmChart> {
    const names = [...source.files.keys()].sort();
    const hash = createHash('sha256');
    for (const name of names) {
      const bytes = source.files.get(name)!;
      hash.update(`${name}\0${bytes.length}\0`).update(bytes);
    }
    const digest = hash.digest('hex');
    const chartYaml = source.files.get('Chart.yaml');
    const meta = chartMeta(chartYaml ? Buffer.from(chartYaml).toString('utf8') : '', `${source.path}/Chart.yaml`);
    if (!meta.ok) return meta;
    // Stored under its digest, with the directory's own name: helm reads it from there, whatever revision it came from.
    const dir = join(this.options.cacheDir, 'directories', `sha256-${digest}`, posix.basename(source.path) || meta.value.name);
    if (!existsSync(join(dir, 'Chart.yaml'))) {
      mkdirSync(dirname(dir), { recursive: true });
      const tmp = mkdtempSync(join(dirname(dir), '.tmp-'));
      try {
        for (const name of names) {
          const file = join(tmp, name);
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, source.files.get(name)!);
        }
        try {
          renameSync(tmp, dir);
        } catch (error) {
          if (!existsSync(join(dir, 'Chart.yaml'))) throw error;
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    const values = source.files.get('values.yaml');
    return ok({ ...meta.value, digest: `sha256:${digest}`, origin: source.path, defaultValues: values ? Buffer.from(values).toString('utf8') : '', handle: dir, notes: [] });
  }

  // `helm show values|chart` of an archive, kept beside it: an archive's digest fixes its content.
  private archiveFile(archive: string, what: 'values' | 'chart'): Result<string> {
    const cached = archive.replace(/\.tgz$/, `.${what}.yaml`);
    if (existsSync(cached)) return ok(readFileSync(cached, 'utf8'));
    const child = this.run(['show', what, archive]);
    if (child.error || child.status !== 0) {
      return fail(new FlotillaError('HELM_TEMPLATE_FAILED', `helm show ${what} of ${archive} failed: ${cleanMessage(child.stderr?.toString('utf8') ?? child.error?.message ?? '')}`, { file: archive }));
    }
    writeAtomically(cached, child.stdout);
    return ok(child.stdout.toString('utf8'));
  }

  private checkVersion(): Result<string> {
    const child = this.run(['version', '--template', '{{.Version}}']);
    const how = `install helm 3 or 4 (https://helm.sh/docs/intro/install/), or give its path with --helm PATH or FLOTILLA_HELM`;
    if (child.error) {
      const missing = (child.error as NodeJS.ErrnoException).code === 'ENOENT';
      return fail(
        new FlotillaError('HELM_NOT_FOUND', missing ? `Helm releases are rendered with helm, and "${this.helm}" was not found${this.helm.includes('/') ? '' : ' on PATH'}` : `"${this.helm}" could not be run: ${child.error.message}`, {
          hint: `Helm releases need the helm command: ${how}.`,
        }),
      );
    }
    const version = child.stdout.toString('utf8').trim();
    if (child.status !== 0 || !/^v?[34]\.\d+/.test(version)) {
      return fail(
        new FlotillaError('HELM_NOT_FOUND', `"${this.helm}" is not helm 3 or 4 (helm version said: ${(version || cleanMessage(child.stderr.toString('utf8'))).slice(0, 200)})`, {
          hint: `Helm releases need helm 3 or 4: ${how}.`,
        }),
      );
    }
    return ok(version);
  }

  private run(args: string[], input?: string): SpawnSyncReturns<Buffer> {
    const home = join(this.options.cacheDir, 'helm-home');
    const env = this.options.env ?? process.env;
    return spawnSync(this.helm, args, {
      input,
      timeout: this.options.timeoutMs ?? 120_000,
      maxBuffer: this.options.maxOutputBytes ?? 64 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
      // A private home: the user's helm plugins, repositories and kubeconfig never change a render.
      env: {
        PATH: env.PATH ?? '',
        HOME: home,
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_DATA_HOME: join(home, 'data'),
      },
    });
  }

  private failure(child: SpawnSyncReturns<Buffer>, chart: HelmChart): string {
    if (isTimeout(child)) return `it did not finish within ${this.options.timeoutMs ?? 120_000} ms`;
    if ((child.error as NodeJS.ErrnoException | undefined)?.code === 'ENOBUFS') return `it printed more than ${this.options.maxOutputBytes ?? 64 * 1024 * 1024} bytes`;
    if (child.error) return child.error.message;
    // Helm names the chart by where it was stored; say where it comes from instead.
    const text = cleanMessage(child.stderr.toString('utf8')).split(chart.handle).join(chart.origin);
    return text || `exit status ${child.status}`;
  }
}

function isTimeout(child: SpawnSyncReturns<Buffer>): boolean {
  return (child.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
}

function cleanMessage(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    // Helm's advice to pass --debug is for its own command line, not Flotilla's.
    .filter((line) => line && !/^(WARNING|walk\.go|install\.go)/.test(line))
    .map((line) => line.replace(/;?\s*Use --debug flag to render out invalid YAML\.?$/, ''))
    .filter(Boolean)
    .join('; ')
    .replace(/^Error: /, '');
}

function chartMeta(text: string, file: string): Result<{ name: string; version: string }> {
  const docs = parseHelmYaml(text, file);
  if (!docs.ok) return fail(...docs.issues.map((i) => new FlotillaError('HELM_CHART_NOT_FOUND', i.message, { file })));
  const meta = docs.value[0]?.value as { name?: unknown; version?: unknown } | undefined;
  if (typeof meta?.name !== 'string' || meta.version === undefined) {
    return fail(new FlotillaError('HELM_CHART_NOT_FOUND', `${file}: not a chart's Chart.yaml (it needs name and version)`, { file }));
  }
  return ok({ name: meta.name, version: String(meta.version) });
}

function changedNote(what: string, before: string, after: string): string {
  return `chart ${what} changed since it was last fetched: the same version now has digest ${after} (it was ${before}); its output may differ from earlier renders`;
}
