import { FlotillaError, type ErrorCode, type ObjectRef } from '../core/index.js';
import { renderFleet, selectTargets, loadFleet, type Fleet, type TargetRenderResult } from '../fleet/index.js';
import { releaseRenderer } from '../render/index.js';
import type { HelmReleaseRenderer } from '../fleet/index.js';
import { gitRevisionFs } from '../source/index.js';

// Loading and rendering the whole fleet at one commit: what the hub does at every new revision.
// It runs in the render worker (render-worker.ts) so the hub's event loop keeps answering the
// API, webhooks and watches while a large fleet renders; the functions here are its wire format.

/** RenderedRevision is the fleet and every target's render at one commit. */
export interface RenderedRevision {
  commit: string;
  fleet: Fleet;
  /** By target key (`cluster/release`). */
  targets: Map<string, TargetRenderResult>;
}

/** renderRevision loads and renders the fleet in the clone `dir` at `commit`; a fleet that does not load throws its first issue. */
export function renderRevision(dir: string, commit: string, helm: HelmReleaseRenderer): RenderedRevision {
  const opened = gitRevisionFs(dir, commit);
  if (!opened.ok) throw opened.issues[0];
  const fs = opened.value;
  const loaded = loadFleet(fs, fs.dir);
  if (!loaded.ok) throw loaded.issues[0];
  const fleet = loaded.value;
  const results = renderFleet(fleet, { fs, root: fs.dir, renderer: releaseRenderer, cache: releaseRenderer.createCache(), targets: selectTargets(fleet), helm });
  return { commit, fleet, targets: new Map(results.map((r) => [r.target.key, r])) };
}

/** WireError is a FlotillaError as it crosses to another thread (structured clone keeps no class or extra fields). */
export interface WireError {
  code: ErrorCode;
  message: string;
  file?: string;
  field?: string;
  object?: ObjectRef;
  cluster?: string;
  hint: string;
  retryable: boolean;
}

/** toWireError flattens an error for postMessage; anything not a FlotillaError becomes INTERNAL. */
export function toWireError(error: unknown): WireError {
  const e = error instanceof FlotillaError ? error : new FlotillaError('INTERNAL', error instanceof Error ? error.message : String(error));
  return {
    code: e.code,
    message: e.message,
    ...(e.file !== undefined ? { file: e.file } : {}),
    ...(e.field !== undefined ? { field: e.field } : {}),
    ...(e.object !== undefined ? { object: e.object } : {}),
    ...(e.cluster !== undefined ? { cluster: e.cluster } : {}),
    hint: e.hint,
    retryable: e.retryable,
  };
}

/** fromWireError is the FlotillaError again. */
export function fromWireError(wire: WireError): FlotillaError {
  return new FlotillaError(wire.code, wire.message, { file: wire.file, field: wire.field, object: wire.object, cluster: wire.cluster, hint: wire.hint, retryable: wire.retryable });
}

/** WireRevision is a RenderedRevision as it crosses: failed renders carry WireErrors. */
export interface WireRevision {
  commit: string;
  fleet: Fleet;
  results: { target: TargetRenderResult['target']; result: TargetRenderResult['result'] | { ok: false; issues: WireError[] } }[];
}

/** toWireRevision flattens a revision; the fleet and the targets go in one message, so a target's cluster is still the fleet's record. */
export function toWireRevision(rendered: RenderedRevision): WireRevision {
  return {
    commit: rendered.commit,
    fleet: rendered.fleet,
    results: [...rendered.targets.values()].map((r) => (r.result.ok ? r : { target: r.target, result: { ok: false as const, issues: r.result.issues.map(toWireError) } })),
  };
}

/** fromWireRevision is the RenderedRevision again. */
export function fromWireRevision(wire: WireRevision): RenderedRevision {
  const targets = new Map<string, TargetRenderResult>();
  for (const r of wire.results) {
    const result: TargetRenderResult['result'] = r.result.ok ? r.result : { ok: false, issues: (r.result.issues as WireError[]).map(fromWireError) };
    targets.set(r.target.key, { target: r.target, result });
  }
  return { commit: wire.commit, fleet: wire.fleet, targets };
}
