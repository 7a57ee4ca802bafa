// The dependency direction of docs ARCHITECTURE: lower layers never import higher ones, pure
// areas touch no network, clock, environment or child process, adapters do not import each
// other, and nobody reaches into another area's internal/ folder.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** layers gives each area of src/ its layer number. */
export const layers: Record<string, number> = {
  core: 0,
  manifest: 1,
  render: 2, fleet: 2, plan: 2, health: 2, rollout: 2,
  source: 3, kube: 3, sandbox: 3, notify: 3, metrics: 3, store: 3,
  reconcile: 4,
  api: 5, cli: 5, main: 5,
};

const pureAreas = new Set(['core', 'manifest', 'render', 'fleet', 'plan', 'health', 'rollout']);
const adapterAreas = new Set(['source', 'kube', 'sandbox', 'notify', 'metrics', 'store']);
/** Node modules a pure area may not import: they bring I/O, the clock, processes or the network. */
const impureModules = /^(node:)?(fs|fs\/promises|child_process|net|http|https|http2|dgram|dns|tls|os|worker_threads|cluster)$/;

/**
 * composesHub lets the command line import the API: `flotilla serve` is the process edge that puts
 * the hub together (ARCHITECTURE: layer 5 may import anything); the API never imports the CLI.
 */
function composesHub(area: string, targetArea: string): boolean {
  return (area === 'cli' || area === 'main') && targetArea === 'api';
}

/** Violation is one import that breaks the rules. */
export interface Violation {
  file: string;
  line: number;
  message: string;
}

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'testdata') walk(path, out);
    } else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** checkDependencies returns every violation in the src/ tree under root. */
export function checkDependencies(root: string): Violation[] {
  const src = join(root, 'src');
  const violations: Violation[] = [];
  for (const file of walk(src, [])) {
    const rel = relative(src, file);
    const area = rel.split(sep)[0]!.replace(/\.ts$/, '');
    const layer = layers[area];
    if (layer === undefined) {
      violations.push({ file: rel, line: 1, message: `area "${area}" is not in the layer table` });
      continue;
    }
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      for (const match of line.matchAll(/(?:^|\s)(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/g)) {
        const spec = match[1] ?? match[2] ?? match[3]!;
        if (spec.startsWith('.')) {
          const target = relative(src, resolve(dirname(file), spec));
          const targetArea = target.split(sep)[0]!.replace(/\.(js|ts)$/, '');
          const targetLayer = layers[targetArea];
          if (targetArea === area) continue;
          if (targetLayer === undefined) {
            violations.push({ file: rel, line: i + 1, message: `imports ${spec}, outside the known areas` });
          } else if (targetLayer > layer || (targetLayer === layer && layer !== 3 && !composesHub(area, targetArea))) {
            violations.push({ file: rel, line: i + 1, message: `${area} (layer ${layer}) may not import ${targetArea} (layer ${targetLayer})` });
          } else if (targetLayer === layer && adapterAreas.has(area)) {
            violations.push({ file: rel, line: i + 1, message: `adapter ${area} may not import adapter ${targetArea}` });
          }
          if (target.split(sep).includes('internal')) {
            violations.push({ file: rel, line: i + 1, message: `imports ${spec}: internal/ is private to ${targetArea}` });
          }
        } else if (pureAreas.has(area) && impureModules.test(spec)) {
          violations.push({ file: rel, line: i + 1, message: `pure area ${area} may not import ${spec}` });
        }
      }
      if (pureAreas.has(area) && /\b(process\.env|Date\.now\(\)|new Date\(\)|Math\.random\(\))/.test(line) && !/^\s*(\/\/|\*)/.test(line)) {
        violations.push({ file: rel, line: i + 1, message: `pure area ${area} may not read the environment, the clock or randomness (inject them)` });
      }
    });
  }
  return violations;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const violations = checkDependencies(resolve(dirname(new URL(import.meta.url).pathname), '..'));
  for (const v of violations) console.error(`src/${v.file}:${v.line}: ${v.message}`);
  process.exit(violations.length ? 1 : 0);
}
