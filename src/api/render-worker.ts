import { parentPort, workerData } from 'node:worker_threads';
import { createHelmRenderer, type HelmSetupOptions } from '../source/helm/index.js';
import { renderRevision, toWireError, toWireRevision } from './revision-render.js';

// The render worker's thread: renders one revision per message, one at a time, and answers
// either the rendered revision or the error that stopped the fleet from loading.

/** RenderRequest asks for the fleet in the clone `dir` at `commit`. */
export interface RenderRequest {
  id: number;
  dir: string;
  commit: string;
}

const helm = createHelmRenderer((workerData as { helm: HelmSetupOptions }).helm);

parentPort?.on('message', (request: RenderRequest) => {
  try {
    const rendered = renderRevision(request.dir, request.commit, helm);
    parentPort!.postMessage({ id: request.id, ok: true, revision: toWireRevision(rendered) });
  } catch (error) {
    parentPort!.postMessage({ id: request.id, ok: false, error: toWireError(error) });
  }
});
