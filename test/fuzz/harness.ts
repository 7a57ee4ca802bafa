// The fuzz harness: settings from the environment, the property every entry point must keep, a
// hang detector and the figures docs/reliability.md quotes.
//
// Every input must end in a Result: ok with objects that are Kubernetes objects (and print as
// YAML), or issues that are FlotillaErrors with a registered code other than INTERNAL, a message
// naming the file (and the field when the issue has one) and a hint. Nothing else may be thrown.
//
// Renders are synchronous, so a hang cannot be interrupted from this thread. Two guards:
// each input's time is measured and must stay under FUZZ_BUDGET_MS (5 s, a generous bound for
// inputs that take milliseconds: this detects hangs, it does not assert speed), and a watchdog
// thread kills the process, printing the input, when one input runs past FUZZ_WATCHDOG_MS
// (60 s): an endless loop then fails the test file instead of holding up the suite.
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import { errorCodes, isFlotillaError, type Result } from '../../src/core/index.js';
import { parseYamlStream, stringifyYamlStream } from '../../src/manifest/index.js';

/** fuzzSeed is the seed of every property (FUZZ_SEED); fixed so that a run can be repeated. */
export const fuzzSeed = Number(process.env.FUZZ_SEED ?? 1207);

/** fuzzRuns is the number of runs of a property: FUZZ_RUNS when set, else the property's default. */
export function fuzzRuns(defaultRuns: number): number {
  const fromEnv = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : defaultRuns;
}

/** budgetMs is the most one input may take before it counts as a hang (FUZZ_BUDGET_MS). */
export const budgetMs = Number(process.env.FUZZ_BUDGET_MS ?? 5000);

/** watchdogMs is when the watchdog gives up on an input and kills the process (FUZZ_WATCHDOG_MS). */
export const watchdogMs = Number(process.env.FUZZ_WATCHDOG_MS ?? 60_000);

/** heapLimitBytes is the most heap the process may hold after an input (memory stays bounded). */
export const heapLimitBytes = 1536 * 1024 * 1024;

/**
 * fuzzParameters are fast-check's settings for one property. A failure reports the shrunk input
 * through `describe` (the whole tree as files, not fast-check's dump of the generator's values).
 */
export function fuzzParameters<T>(defaultRuns: number, describe?: (input: T) => string): fc.Parameters<T> {
  return {
    numRuns: fuzzRuns(defaultRuns),
    seed: fuzzSeed,
    reporter(details) {
      if (!details.failed) return;
      const input = details.counterexample ? (describe ? describe(details.counterexample) : fc.stringify(details.counterexample)) : '(none)';
      const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
      throw new Error(
        `failed after ${details.numRuns} runs (FUZZ_SEED=${details.seed}, path ${details.counterexamplePath}): ${cause}\nshrunk input:\n${input.slice(0, 20_000)}`,
      );
    },
  };
}

// ---- the watchdog

const labelBytes = 64 * 1024;
const shared = new SharedArrayBuffer(16 + labelBytes);
const clock = new BigInt64Array(shared, 0, 2); // [start of the current input (ms), label length]
const labelView = new Uint8Array(shared, 16, labelBytes);
let watchdog: Worker | undefined;

function startWatchdog(): void {
  if (watchdog) return;
  const code = `
    const { workerData } = require('node:worker_threads');
    const { writeSync } = require('node:fs');
    const clock = new BigInt64Array(workerData.shared, 0, 2);
    const label = new Uint8Array(workerData.shared, 16);
    setInterval(() => {
      const start = Number(Atomics.load(clock, 0));
      if (start === 0 || Date.now() - start < workerData.limit) return;
      const length = Number(Atomics.load(clock, 1));
      writeSync(2, '\\nfuzz watchdog: one input has run for ' + (Date.now() - start) + ' ms (limit ' + workerData.limit + ' ms): a hang. The input:\\n' + Buffer.from(label.subarray(0, length)).toString('utf8') + '\\n');
      process.kill(process.pid, 'SIGKILL');
    }, 250);`;
  watchdog = new Worker(code, { eval: true, workerData: { shared, limit: watchdogMs } });
  watchdog.unref();
}

const encoder = new TextEncoder();

// ---- figures

/** FuzzStats counts what one property tried and how it ended. */
export class FuzzStats {
  inputs = 0;
  rendered = 0;
  objects = 0;
  readonly errors = new Map<string, number>();
  maxMs = 0;
  totalMs = 0;
  maxHeap = 0;
  private readonly started = Date.now();

  /** @param unit what a successful input yields, for the summary ("objects", "targets"). */
  constructor(
    readonly name: string,
    readonly unit = 'objects',
  ) {}

  /** count records one input's outcome. */
  count(outcome: Result<unknown>, ms: number, objects = 0): void {
    this.inputs++;
    this.totalMs += ms;
    this.maxMs = Math.max(this.maxMs, ms);
    if (outcome.ok) {
      this.rendered++;
      this.objects += objects;
    } else {
      const code = outcome.issues[0]?.code ?? 'none';
      this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
    }
  }

  /** summary is one line of figures for the test report. */
  summary(): string {
    const codes = [...this.errors.entries()].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', ');
    return `${this.name}: ${this.inputs} inputs in ${((Date.now() - this.started) / 1000).toFixed(1)} s, ${this.rendered} rendered (${this.objects} ${this.unit}), errors: ${codes || 'none'}; slowest input ${this.maxMs.toFixed(0)} ms, mean ${(this.totalMs / Math.max(1, this.inputs)).toFixed(1)} ms, heap at most ${(this.maxHeap / 1048576).toFixed(0)} MiB`;
  }

  /** report prints the summary as a test diagnostic and, with FUZZ_REPORT=FILE, appends it as JSON. */
  report(t: Pick<TestContext, 'diagnostic'>): void {
    t.diagnostic(this.summary());
    const file = process.env.FUZZ_REPORT;
    if (!file) return;
    const line = {
      name: this.name,
      seed: fuzzSeed,
      inputs: this.inputs,
      rendered: this.rendered,
      objects: this.objects,
      errors: Object.fromEntries(this.errors),
      maxMs: Math.round(this.maxMs),
      meanMs: Number((this.totalMs / Math.max(1, this.inputs)).toFixed(2)),
      seconds: Number(((Date.now() - this.started) / 1000).toFixed(1)),
      maxHeapMiB: Math.round(this.maxHeap / 1048576),
    };
    appendFileSync(file, JSON.stringify(line) + '\n');
  }
}

// ---- running one input

/**
 * measure runs one input under the watchdog and the time budget. A thrown FlotillaError becomes
 * a failed Result (the callers may throw them); anything else thrown fails the property.
 */
export function measure<T>(stats: FuzzStats, label: () => string, call: () => Result<T>): { result: Result<T>; ms: number } {
  startWatchdog();
  const text = encoder.encode(label().slice(0, labelBytes / 4));
  labelView.set(text.subarray(0, labelBytes));
  Atomics.store(clock, 1, BigInt(Math.min(text.length, labelBytes)));
  const start = performance.now();
  Atomics.store(clock, 0, BigInt(Date.now()));
  let result: Result<T>;
  try {
    result = call();
  } catch (error) {
    if (!isFlotillaError(error)) {
      throw new assert.AssertionError({ message: `threw ${(error as Error)?.stack ?? String(error)}` });
    }
    result = { ok: false, issues: [error] };
  } finally {
    Atomics.store(clock, 0, 0n);
  }
  const ms = performance.now() - start;
  const heap = process.memoryUsage().heapUsed;
  stats.maxHeap = Math.max(stats.maxHeap, heap);
  assert.ok(ms < budgetMs, `one input took ${ms.toFixed(0)} ms, more than the ${budgetMs} ms budget: a hang or a blow-up`);
  assert.ok(heap < heapLimitBytes, `the heap holds ${(heap / 1048576).toFixed(0)} MiB after one input`);
  return { result, ms };
}

// A message names a field when it names the field (maybe JSON-quoted) or an entry that holds it:
// "replicas[0]" names the field "replicas[0].name" well enough.
function namesField(message: string, field: string): boolean {
  for (let f = field; f !== ''; f = f.replace(/(\.[^.[]*|\[[^\]]*\])$/, '')) {
    if (message.includes(f) || message.includes(JSON.stringify(f).slice(1, -1))) return true;
    if (!/(\.[^.[]*|\[[^\]]*\])$/.test(f)) break;
  }
  return false;
}

/** checkIssues asserts that every issue is a clear FlotillaError: registered code, file, field, hint. */
export function checkIssues(issues: readonly unknown[]): void {
  assert.ok(issues.length > 0, 'a failed Result without issues');
  for (const issue of issues) {
    assert.ok(isFlotillaError(issue), `an issue that is not a FlotillaError: ${String(issue)}`);
    assert.ok(Object.hasOwn(errorCodes, issue.code), `unregistered code ${issue.code}`);
    assert.notEqual(issue.code, 'INTERNAL', `INTERNAL error (a bug): ${issue.message}`);
    assert.ok(typeof issue.file === 'string' && issue.file.length > 0, `[${issue.code}] names no file: ${issue.message}`);
    assert.ok(issue.message.includes(issue.file), `[${issue.code}] message does not name its file ${issue.file}: ${issue.message}`);
    if (issue.field) assert.ok(namesField(issue.message, issue.field), `[${issue.code}] message does not name its field ${issue.field}: ${issue.message}`);
    assert.ok(typeof issue.hint === 'string' && issue.hint.trim().length > 0, `[${issue.code}] has no hint: ${issue.message}`);
    assert.ok(issue.message.length < 64 * 1024, `[${issue.code}] message of ${issue.message.length} characters`);
  }
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * checkObjects asserts that rendered objects are Kubernetes objects: kind and metadata.name
 * non-empty strings, apiVersion and metadata.namespace strings when set (kustomize keeps an
 * object without apiVersion; the API server refuses it at apply), and that they print as YAML.
 */
export function checkObjects(objects: readonly { object: unknown }[]): void {
  for (const { object } of objects) {
    assert.ok(isMap(object), 'a rendered object that is not a map');
    assert.ok(typeof object.kind === 'string' && object.kind !== '', `a rendered object without kind: ${JSON.stringify(object).slice(0, 200)}`);
    assert.ok(object.apiVersion === undefined || typeof object.apiVersion === 'string', `apiVersion ${JSON.stringify(object.apiVersion)}`);
    const metadata = object.metadata;
    assert.ok(isMap(metadata), `${object.kind} without metadata`);
    assert.ok(typeof metadata.name === 'string' && metadata.name !== '', `${object.kind} without metadata.name: ${JSON.stringify(metadata).slice(0, 200)}`);
    assert.ok(metadata.namespace === undefined || typeof metadata.namespace === 'string', `${object.kind}/${metadata.name}: namespace ${JSON.stringify(metadata.namespace)}`);
  }
  // What `flotilla build` and `render` print must read back as the same objects.
  const values = objects.map((o) => o.object);
  const printed = stringifyYamlStream(values);
  const read = parseYamlStream(printed, { file: 'printed', schema: 'kubernetes' });
  assert.ok(read.ok, `the printed objects do not parse: ${read.ok ? '' : read.issues[0]!.message}\n${printed.slice(0, 2000)}`);
  assert.deepEqual(read.value.map((d) => d.value), values, 'the printed objects read back differently');
}

/** checkOutcome checks a Result whose value carries rendered objects, and counts it. */
export function checkOutcome(stats: FuzzStats, outcome: { result: Result<{ objects: readonly { object: unknown }[] }>; ms: number }): void {
  const { result, ms } = outcome;
  if (result.ok) checkObjects(result.value.objects);
  else checkIssues(result.issues);
  stats.count(result, ms, result.ok ? result.value.objects.length : 0);
}
