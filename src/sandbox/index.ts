// The sandbox: local clusters that answer the Kubernetes API as kube-apiserver does, for tests and
// `flotilla demo`. See docs/sandbox.md.
export { startSandbox, defaultFingerprint, type StartSandboxOptions, type Sandbox, type SandboxCluster, type FaultControl } from './sandbox.js';
export type { Faults } from './api/http-server.js';
export type { ControllerOptions } from './controllers/index.js';
export type { WatchOptions } from './rest/watch.js';
export { ApiServer, type ApiRequest, type ApiResponse, type ApiServerOptions } from './api/api-server.js';
export { renderKubeconfig, type KubeconfigOptions } from './kubeconfig.js';
