import { Worker } from 'node:worker_threads';
import { FlotillaError } from '../core/index.js';
import type { HelmSetupOptions } from '../source/helm/index.js';
import type { RenderRequest } from './render-worker.js';
import { fromWireError, fromWireRevision, type RenderedRevision, type WireError, type WireRevision } from './revision-render.js';

// Rendering 1,000 targets takes the better part of a second of CPU, and more with bigger
// fleets. Done on the hub's own thread it stalled the API, webhooks, watches and the syncs in
// flight at every commit; a worker thread keeps the event loop free. One worker, started on the
// first render and started again if it dies, renders one revision at a time.

type Answer = { id: number; ok: true; revision: WireRevision } | { id: number; ok: false; error: WireError };

/** RevisionWorker renders revisions of the fleet on a worker thread (see above). */
export class RevisionWorker {
  private worker?: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: RenderedRevision) => void; reject: (e: FlotillaError) => void }>();
  private closed = false;

  constructor(private readonly helm: HelmSetupOptions) {}

  /** render loads and renders the fleet in the clone `dir` at `commit`; a fleet that does not load rejects with its FlotillaError. */
  render(dir: string, commit: string): Promise<RenderedRevision> {
    if (this.closed) return Promise.reject(new FlotillaError('INTERNAL', 'the render worker is closed'));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<RenderedRevision>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, dir, commit } satisfies RenderRequest);
    });
  }

  /** close stops the worker; renders still waiting are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll('the hub is shutting down');
    await worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const workerData = { helm: this.helm };
    let worker: Worker;
    if (import.meta.url.endsWith('.ts')) {
      // Run from the TypeScript sources (tests, benchmarks): a worker does not inherit the tsx
      // loader of its process, so it registers it before it loads its entry.
      const tsx = import.meta.resolve('tsx/esm/api');
      const entry = new URL('./render-worker.ts', import.meta.url).href;
      worker = new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { eval: true, workerData });
    } else {
      worker = new Worker(new URL('./render-worker.js', import.meta.url), { workerData });
    }
    // An idle worker must not keep a process alive that has nothing else to do.
    worker.unref();
    worker.on('message', (answer: Answer) => {
      const waiting = this.pending.get(answer.id);
      if (!waiting) return;
      this.pending.delete(answer.id);
      if (answer.ok) waiting.resolve(fromWireRevision(answer.revision));
      else waiting.reject(fromWireError(answer.error));
    });
    worker.on('error', (error) => {
      if (this.worker === worker) this.worker = undefined;
      this.failAll(`the render worker failed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      if (!this.closed) this.failAll(`the render worker stopped (exit code ${code})`);
    });
    this.worker = worker;
    return worker;
  }

  private failAll(message: string): void {
    for (const waiting of this.pending.values()) waiting.reject(new FlotillaError('INTERNAL', message, { hint: 'The next revision is rendered by a new worker; if this repeats, report it with the hub log.' }));
    this.pending.clear();
  }
}
