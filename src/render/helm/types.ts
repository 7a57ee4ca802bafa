import type { Result } from '../../core/index.js';

/**
 * HelmChartSource says where a release's chart comes from: a chart directory of the fleet
 * repository (handed over as its files, because the directory may be a Git revision that exists
 * nowhere on disk), a chart repository entry, or an archive URL.
 */
export type HelmChartSource =
  | {
      type: 'directory';
      /** The chart directory relative to the repository root, e.g. `charts/web`. */
      path: string;
      /** Every file of the directory by its path relative to it (`Chart.yaml`, `charts/db-1.0.0.tgz`, …). */
      files: ReadonlyMap<string, Uint8Array>;
    }
  | {
      type: 'repository';
      /** The chart repository URL (the directory holding `index.yaml`). */
      repo: string;
      name: string;
      /** A version or a semver range (`1.2.x`, `^1.2.0`, `>=1.0, <2.0`); the newest stable version when absent. */
      version?: string;
    }
  | {
      type: 'archive';
      /** An http(s) URL of a packaged chart (`.tgz`). */
      url: string;
    };

/** HelmChart is a chart the HelmRenderer has made ready to template. */
export interface HelmChart {
  name: string;
  version: string;
  /** `sha256:<hex>` of the archive, or of the directory's files for a chart directory. */
  digest: string;
  /**
   * Where the chart came from, as provenance names its files: the directory (`charts/web`) or the
   * archive URL (`https://charts.example.com/web-1.2.0.tgz`); a file inside is `ORIGIN/templates/x.yaml`.
   */
  origin: string;
  /** The text of the chart's own values.yaml ('' when it has none). */
  defaultValues: string;
  /** What the renderer needs to find the chart again in template(); opaque to callers. */
  handle: string;
  /** Things worth telling the user (a chart that changed behind the same version). */
  notes: string[];
}

/** HelmTemplateRequest is one `helm template` run. */
export interface HelmTemplateRequest {
  releaseName: string;
  namespace: string;
  /** `--kube-version`; helm's built-in default when absent. */
  kubeVersion?: string;
  /**
   * The user values, merged in order (what `-f a.yaml -f b.yaml` gives helm): a null removes the
   * chart default of that key, so chart defaults are not folded in here.
   */
  values: Record<string, unknown>;
}

/**
 * HelmRenderer is the port through which rendering uses helm: finding and fetching charts and
 * running `helm template`. Rendering itself stays pure; source/helm's HelmCli implements this with
 * the real helm binary and HTTP chart repositories. Both calls are synchronous, like the rest of a
 * render. Failures are values: a chart that does not render gives helm's own message.
 */
export interface HelmRenderer {
  /** loadChart makes a chart ready: resolves a version range, downloads and verifies an archive, or stores a directory's files. */
  loadChart(source: HelmChartSource): Result<HelmChart>;
  /** template runs `helm template` (with `--include-crds`) and returns the YAML stream helm prints. */
  template(chart: HelmChart, request: HelmTemplateRequest): Result<string>;
}
