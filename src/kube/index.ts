// The Kubernetes adapter: the only code that talks to API servers (through @kubernetes/client-node).
export { loadKubeconfig, contextKubeConfig, type LoadKubeconfigOptions } from './kubeconfig.js';
export { KubeCluster, fieldManager, type KubeClusterOptions, type KubeRef, type KubeList, type ResourceInfo, type RawWatchOptions, type WatchEventType } from './cluster.js';
export { FlotillaObjectApi, type TransportStats, type RawRequest, type FlotillaObjectApiOptions } from './object-api.js';
export { kubeError, isUnreachable, isNotFound, isRetryableStatus, KubeApiFailure, statusFailure, type KubeRequestContext } from './errors.js';
export { backoffDelay, withRetry, defaultRetryPolicy, systemClock, type KubeClock, type RetryPolicy, type RetryOptions } from './retry.js';
export { applyObjects, sameAfterApply, type ApplyObjectsOptions, type ApplyObjectsResult, type AppliedObject } from './apply.js';
export { pruneRelease, type PruneResult, type PruneOptions } from './prune.js';
export { readInventory, readInventoryObject, decodeInventoryObject, writeInventory, writeInventoryObject, listInventories, type InventoryWrite, type InventoryWriteOptions, type InventoryListing } from './inventory.js';
export { waitForHealth, readHealth, type WaitOptions, type WaitResult } from './wait.js';
export { watchKind, type KindWatch, type KindWatchHandler, type KindWatchOptions } from './watch.js';
export { KubeSession, kubeConnector, type KubeSessionOptions } from './session.js';
