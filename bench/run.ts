// npm run bench [NAME…]: runs the benchmarks in bench/*.bench.ts (all, or those named) and
// records each one's result in docs/benchmarks.md between its markers, with the machine and date.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/** BenchmarkResult is what one benchmark reports: a Markdown section body. */
export interface BenchmarkResult {
  title: string;
  markdown: string;
}

/** Benchmark is the default export of a bench/*.bench.ts file. */
export type Benchmark = (progress: (line: string) => void) => Promise<BenchmarkResult>;

const here = new URL('.', import.meta.url).pathname;
const docPath = new URL('../docs/benchmarks.md', import.meta.url).pathname;
const wanted = process.argv.slice(2);
const files = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
const chosen = files.filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)));
if (chosen.length === 0) {
  console.error(`no benchmark matches ${wanted.join(' ')}; there are: ${files.map((f) => f.replace('.bench.ts', '')).join(', ')}`);
  process.exit(1);
}
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
let doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n\nRun with `npm run bench` (or `npm run bench NAME`); each section is rewritten by its benchmark.\n';
for (const file of chosen) {
  const name = file.replace('.bench.ts', '');
  const started = Date.now();
  const progress = (line: string) => process.stderr.write(`[${name} ${((Date.now() - started) / 1000).toFixed(0)}s] ${line}\n`);
  progress('starting');
  const bench = (await import(`./${file}`)).default as Benchmark;
  const result = await bench(progress);
  const section = `<!-- bench:${name} -->\n## ${result.title}\n\n_Measured ${new Date().toISOString().slice(0, 10)} on ${machine}._\n\n${result.markdown.trim()}\n<!-- /bench:${name} -->`;
  const pattern = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  doc = pattern.test(doc) ? doc.replace(pattern, section) : `${doc.trimEnd()}\n\n${section}\n`;
  writeFileSync(docPath, doc);
  console.log(result.markdown.trim());
}
