export { HelmCli, type HelmCliOptions } from './helm-cli.js';
export { ChartRepositories, type ChartRepositoriesOptions, type ChartVersion, type DownloadedChart } from './chart-repository.js';
export { fetchSync, redact, type SyncFetch, type SyncFetchOptions } from './fetch-sync.js';
export { createHelmRenderer, defaultHelmCacheDir, type HelmSetupOptions } from './create.js';
