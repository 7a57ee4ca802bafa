// One large kustomization: ~4,000 resources in 40 files, with labels, a namespace and patches
// (a strategic-merge patch and a JSON 6902 patch selected by target, and a named one). One Flotilla
// build against one `kubectl kustomize` (kustomize v5.7.1), both as a fresh process printing the
// YAML stream, plus Flotilla's in-process time. The fixture is generated in a temporary directory.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { Benchmark } from './run.js';
import { toolPath } from '../scripts/tools.js';
import { buildKustomization } from '../src/render/index.js';
import { stringifyYamlStream } from '../src/manifest/index.js';
import { localFs } from '../src/source/index.js';

const files = 40;
const perFile = 100;
const runs = 3;
// kustomize needs minutes for this build (its name-reference fix is quadratic), so it runs once.
const kubectlRuns = 1;

function resourceFile(f: number): string {
  const docs: string[] = [];
  for (let i = 0; i < perFile; i++) {
    const name = `svc-${f}-${i}`;
    switch (i % 4) {
      case 0:
        docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}, tier: ${i % 8 === 0 ? 'frontend' : 'backend'}}
spec:
  replicas: 1
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: main
        image: registry.example.com/app/${name}:1.0.${i}
        env: [{name: MODE, value: standard}]
        ports: [{containerPort: 8080}]
        resources: {requests: {cpu: 50m, memory: 64Mi}}`);
        break;
      case 1:
        docs.push(`apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  selector: {app: svc-${f}-${i - 1}}\n  ports: [{port: 80, targetPort: 8080}]`);
        break;
      case 2:
        docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  settings.yaml: |\n    owner: team-${f}\n    index: ${i}\n  FLAG: "on"`);
        break;
      default:
        docs.push(`apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ${name}\n  annotations: {example.com/owner: team-${f}}`);
    }
  }
  return docs.join('\n---\n') + '\n';
}

function parseStream(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' }).map((d) => d.toJS()).filter((v) => v != null);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const bench: Benchmark = async (progress) => {
  const root = mkdtempSync(join(tmpdir(), 'flotilla-bench-large-'));
  const repo = new URL('..', import.meta.url).pathname;
  try {
    const names: string[] = [];
    for (let f = 0; f < files; f++) {
      writeFileSync(join(root, `resources-${f}.yaml`), resourceFile(f));
      names.push(`resources-${f}.yaml`);
    }
    mkdirSync(join(root, 'patches'));
    writeFileSync(join(root, 'patches/frontend.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: any\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: main\n        env: [{name: MODE, value: frontend}]\n');
    writeFileSync(
      join(root, 'kustomization.yaml'),
      `namespace: large\ncommonLabels:\n  app.kubernetes.io/part-of: large\nlabels:\n- pairs: {team: platform}\ncommonAnnotations:\n  example.com/build: bench\nresources:\n${names.map((n) => `- ${n}`).join('\n')}\npatches:\n- path: patches/frontend.yaml\n  target: {kind: Deployment, labelSelector: tier=frontend}\n- target: {kind: Service}\n  patch: |-\n    - op: add\n      path: /spec/type\n      value: ClusterIP\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: svc-0-2\n    data:\n      FLAG: "off"\n`,
    );
    const total = files * perFile;
    progress(`fixture: ${total} resources in ${root}`);

    // In process, after one warm-up build (JIT), build and print.
    const inProcess: number[] = [];
    let flotillaOut = '';
    for (let i = 0; i <= runs; i++) {
      const t = performance.now();
      const result = buildKustomization(root, { fs: localFs });
      if (!result.ok) throw new Error(result.issues[0]!.message);
      flotillaOut = stringifyYamlStream(result.value.objects.map((o) => o.object));
      if (i > 0) inProcess.push(performance.now() - t);
    }
    progress(`flotilla in process: ${median(inProcess).toFixed(0)} ms`);

    // As processes: the compiled CLI (npm run build) when present, else through tsx.
    const compiled = join(repo, 'dist/src/cli/main.js');
    const cli = existsSync(compiled) ? [compiled] : ['--import', 'tsx', join(repo, 'src/cli/main.ts')];
    const cliLabel = existsSync(compiled) ? '`node bin/flotilla.js build` (compiled)' : '`flotilla build` through tsx (not compiled: `npm run build` first for the real figure)';
    const flotillaRuns: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const out = execFileSync(process.execPath, [...cli, 'build', root], { cwd: repo, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      flotillaRuns.push(performance.now() - t);
      if (out !== flotillaOut) throw new Error('the CLI printed something else than the in-process build');
    }
    progress(`flotilla process: ${median(flotillaRuns).toFixed(0)} ms`);

    const kubectl = toolPath('kubectl');
    const kubectlTimes: number[] = [];
    let kubectlOut = '';
    for (let i = 0; i < kubectlRuns; i++) {
      progress('kubectl kustomize: running (this takes minutes)');
      const t = performance.now();
      kubectlOut = execFileSync(kubectl, ['kustomize', root], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
      kubectlTimes.push(performance.now() - t);
      progress(`kubectl run ${i + 1}: ${kubectlTimes[i]!.toFixed(0)} ms`);
    }
    const same = isDeepStrictEqual(parseStream(kubectlOut), parseStream(flotillaOut));
    if (!same) throw new Error("Flotilla's output differs from kubectl kustomize's");
    const k = median(kubectlTimes);
    const p = median(flotillaRuns);
    const markdown = `
One kustomization of ${total} resources (Deployments, Services, ConfigMaps, ServiceAccounts in ${files} files) with namespace, commonLabels, labels, commonAnnotations, a strategic-merge patch by label selector, a JSON 6902 patch on every Service and a named inline patch. Flotilla: median of ${runs} runs; kustomize: ${kubectlRuns} run${kubectlRuns > 1 ? 's' : ''}. Load average at the start: ${loadavg()[0]!.toFixed(1)}.

| | time |
|---|---:|
| \`kubectl kustomize\` (kustomize v5.7.1), one process | ${(k / 1000).toFixed(2)} s |
| ${cliLabel}, one process | ${(p / 1000).toFixed(2)} s |
| Flotilla in process (build + print, warm) | ${(median(inProcess) / 1000).toFixed(2)} s |

Process against process Flotilla is **${(k / p).toFixed(1)}×** faster (target: ≥3×); in process ${(k / median(inProcess)).toFixed(1)}×. Both printed the same ${total} objects (YAML 1.1 parse, deep-equal).
`;
    return { title: 'Renderer: one kustomization of 4,000 resources', markdown };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
};

export default bench;
