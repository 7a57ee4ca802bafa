// The files `flotilla init` and `flotilla bootstrap` write, as data. Nothing here touches the disk:
// the CLI reads the cluster template through a FleetFs, asks this module what to write, checks the
// result by loading the fleet through withFiles(), and only then writes. Keeping the decisions
// here makes them testable without a cluster or a temporary directory.
import { posix } from 'node:path';
import { stringify } from 'yaml';
import { FlotillaError, fail, ok, type Issue, type Result } from '../core/index.js';
import { labelKeyProblem, labelValueProblem, parseYamlStream } from '../manifest/index.js';
import type { FleetFs } from './ports.js';
import { apiVersion, dnsLabelPattern, variablePattern } from './schema.js';
import { expandTemplate, parseTemplate } from './template.js';

/** ScaffoldFile is one file init or bootstrap writes: a path relative to the fleet root, with `/`, and its text. */
export interface ScaffoldFile {
  path: string;
  text: string;
}

/** TemplateFile is one file of a cluster template: its path relative to the template directory, and its text. */
export interface TemplateFile {
  path: string;
  text: string;
}

/** NewCluster is what bootstrap knows about a cluster before writing its record. */
export interface NewCluster {
  name: string;
  labels: Record<string, string>;
  /** Identity facts; CLUSTER_NAME is added (first) when missing. */
  identity: Record<string, string>;
  /** The kubeconfig context. @default the cluster's name */
  context?: string;
  /** The uid of the live kube-system namespace. */
  fingerprint?: string;
}

/** clustersDir is where cluster records and overlays live: `clusters/NAME/`. */
export const clustersDir = 'clusters';

/** clusterRecordPath is the record bootstrap writes for a cluster (SPEC §8). */
export function clusterRecordPath(name: string): string {
  return `${clustersDir}/${name}/cluster.yaml`;
}

/** defaultInitEnvs are the environments `flotilla init` creates without --envs. */
export const defaultInitEnvs = ['dev', 'staging', 'production'];

/** defaultInitRegions are the regions `flotilla init` creates without --regions. */
export const defaultInitRegions = ['us-east', 'eu-west'];

/** initTemplatePath is the cluster template directory `flotilla init` creates. */
export const initTemplatePath = 'templates/cluster';

const dnsLabel = new RegExp(dnsLabelPattern);
const variableName = new RegExp(variablePattern);

/** nameProblem says why a cluster, fleet, environment or region name is not a DNS label, or returns undefined. */
export function nameProblem(name: string): string | undefined {
  if (!name) return 'is empty';
  if (name.length > 63) return `is ${name.length} characters long; at most 63 are allowed`;
  if (!dnsLabel.test(name)) return 'is not a DNS label: lower-case letters, digits and "-", starting and ending with a letter or digit';
  return undefined;
}

/**
 * parsePairs reads `KEY=VALUE` arguments (--label, --identity) into a map. Label keys and values
 * follow Kubernetes label syntax; identity keys are variable names, because each becomes a
 * substitution variable. A key given twice with different values is an error, not a silent override.
 */
export function parsePairs(pairs: readonly string[], kind: 'label' | 'identity'): Result<Record<string, string>> {
  const option = kind === 'label' ? '--label' : '--identity';
  const out: Record<string, string> = {};
  const issues: Issue[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      issues.push(new FlotillaError('USAGE', `${option} ${pair}: expected KEY=VALUE`, { hint: kind === 'label' ? 'Write labels as --label env=production.' : 'Write identity facts as --identity REGION=eu-west-1.' }));
      continue;
    }
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (kind === 'label') {
      const problem = labelKeyProblem(key) ?? labelValueProblem(value);
      if (problem) {
        issues.push(new FlotillaError('USAGE', `${option} ${pair}: ${problem}`, { hint: 'Label keys are [prefix/]name, values at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.' }));
        continue;
      }
    } else if (!variableName.test(key)) {
      issues.push(new FlotillaError('USAGE', `${option} ${pair}: "${key}" is not a variable name: a letter or "_", then letters, digits or "_"`, { hint: 'Identity keys become ${VAR} substitution variables, so they follow variable syntax (REGION, ACCOUNT_ID).' }));
      continue;
    }
    if (Object.prototype.hasOwnProperty.call(out, key) && out[key] !== value) {
      issues.push(new FlotillaError('USAGE', `${option} ${key} is given twice, as "${out[key]}" and as "${value}"`, { hint: 'Give each key once.' }));
      continue;
    }
    out[key] = value;
  }
  return issues.length ? fail(...issues) : ok(out);
}

/**
 * newClusterProblems checks a cluster before anything is written: its name, labels and identity
 * (CLUSTER_NAME, when given, must be the name; the loader would refuse the record otherwise).
 */
export function newClusterProblems(cluster: NewCluster): Issue[] {
  const issues: Issue[] = [];
  const problem = nameProblem(cluster.name);
  if (problem) issues.push(new FlotillaError('USAGE', `cluster name "${cluster.name}" ${problem}`, { hint: 'Cluster names become directory names and template values; use names such as prod-eu-west.' }));
  for (const [key, value] of Object.entries(cluster.labels)) {
    const p = labelKeyProblem(key) ?? labelValueProblem(value);
    if (p) issues.push(new FlotillaError('USAGE', `label ${key}=${value}: ${p}`));
  }
  for (const key of Object.keys(cluster.identity)) {
    if (!variableName.test(key)) issues.push(new FlotillaError('USAGE', `identity key "${key}" is not a variable name: a letter or "_", then letters, digits or "_"`));
  }
  const idName = cluster.identity.CLUSTER_NAME;
  if (idName !== undefined && idName !== cluster.name) {
    issues.push(new FlotillaError('USAGE', `--identity CLUSTER_NAME=${idName}: CLUSTER_NAME is always the cluster's name, "${cluster.name}"`, { hint: 'Leave CLUSTER_NAME out; bootstrap records it.' }));
  }
  return issues;
}

/** clusterIdentity is the identity a record gets: CLUSTER_NAME first, then the given facts in order. */
export function clusterIdentity(cluster: Pick<NewCluster, 'name' | 'identity'>): Record<string, string> {
  const { CLUSTER_NAME: _, ...rest } = cluster.identity;
  return { CLUSTER_NAME: cluster.name, ...rest };
}

/** clusterRecordFile is the `kind: Cluster` record of a new cluster (SPEC §2.1), in the order people read it. */
export function clusterRecordFile(cluster: NewCluster, header = 'Written by flotilla bootstrap.'): ScaffoldFile {
  const record = {
    apiVersion,
    kind: 'Cluster',
    metadata: {
      name: cluster.name,
      ...(Object.keys(cluster.labels).length ? { labels: cluster.labels } : {}),
    },
    spec: {
      identity: clusterIdentity(cluster),
      connection: { context: cluster.context ?? cluster.name },
      ...(cluster.fingerprint ? { fingerprint: cluster.fingerprint } : {}),
    },
  };
  const comment = header
    .split('\n')
    .map((l) => `# ${l}`.trimEnd())
    .join('\n');
  // defaultStringType QUOTE_DOUBLE would quote keys too; plain strings are fine, and the yaml
  // package quotes every value that would otherwise read as another type ("true", "0644", "1.30").
  return { path: clusterRecordPath(cluster.name), text: `${comment}\n${stringify(record, { lineWidth: 0 })}` };
}

function isYamlFile(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/**
 * expandClusterTemplate turns the files of the fleet's cluster template into the new cluster's
 * overlay under `clusters/NAME/`: `{{cluster.name}}`, `{{cluster.labels.KEY}}` and
 * `{{cluster.identity.KEY}}` are replaced in each file's text (not in file names). A key the
 * cluster does not have is an error naming the file and line, never an empty string (SPEC §2.3);
 * `{{release.name}}` means nothing here and is refused. YAML files must still parse once expanded.
 */
export function expandClusterTemplate(templatePath: string, files: readonly TemplateFile[], cluster: Pick<NewCluster, 'name' | 'labels' | 'identity'>): Result<ScaffoldFile[]> {
  const issues: Issue[] = [];
  if (files.length === 0) {
    return fail(new FlotillaError('BOOTSTRAP_TEMPLATE_INVALID', `${templatePath}: the cluster template holds no files`, { file: templatePath, field: 'spec.clusterTemplate.path' }));
  }
  const context = { cluster: { name: cluster.name, labels: cluster.labels, identity: clusterIdentity(cluster) }, release: { name: '' } };
  const out: ScaffoldFile[] = [];
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const source = `${templatePath}/${file.path}`;
    if (file.path === 'cluster.yaml') {
      issues.push(new FlotillaError('BOOTSTRAP_TEMPLATE_INVALID', `${source}: a cluster template may not hold cluster.yaml; bootstrap writes the record itself from --label, --identity and --context`, { file: source }));
      continue;
    }
    const lines = file.text.split('\n');
    const expanded: string[] = [];
    lines.forEach((line, i) => {
      const parsed = parseTemplate(line);
      if ('error' in parsed) {
        issues.push(new FlotillaError('FLEET_TEMPLATE_INVALID', `${source}:${i + 1}: ${parsed.error}`, { file: source }));
        return;
      }
      if (parsed.parts.some((p) => typeof p !== 'string' && p.kind === 'release.name')) {
        issues.push(new FlotillaError('FLEET_TEMPLATE_INVALID', `${source}:${i + 1}: {{release.name}} has no meaning in a cluster template; use {{cluster.name}}, {{cluster.labels.KEY}} or {{cluster.identity.KEY}}`, { file: source }));
        return;
      }
      const value = expandTemplate(line, context);
      if ('error' in value) {
        issues.push(new FlotillaError('FLEET_TEMPLATE_UNDEFINED', `${source}:${i + 1}: ${value.error}`, { file: source, cluster: cluster.name, hint: `Give the cluster the label (--label KEY=VALUE) or identity key (--identity KEY=VALUE) the template needs.` }));
        return;
      }
      expanded.push(value.value);
    });
    if (expanded.length !== lines.length) continue;
    const text = expanded.join('\n');
    const path = `${clustersDir}/${cluster.name}/${file.path}`;
    if (isYamlFile(file.path)) {
      const parsed = parseYamlStream(text, { file: path });
      if (!parsed.ok) {
        const why = parsed.issues[0]!.message.replace(`${path}: `, '');
        issues.push(new FlotillaError('BOOTSTRAP_TEMPLATE_INVALID', `${source}: for cluster ${cluster.name} the file expands to YAML that does not parse: ${why}`, { file: source, cluster: cluster.name }));
        continue;
      }
    }
    out.push({ path, text });
  }
  return issues.length ? fail(...issues) : ok(out);
}

/**
 * readClusterTemplate reads every file under the template directory (sorted, `/`-separated paths
 * relative to it). A missing directory, one that leaves the repository, or a file that is not
 * UTF-8 text is an error naming `spec.clusterTemplate.path`.
 */
export function readClusterTemplate(fs: FleetFs, root: string, templatePath: string): Result<TemplateFile[]> {
  const rootDir = root.replace(/\/+$/, '') || '/';
  const dir = posix.join(rootDir, templatePath);
  const where = { file: 'flotilla.yaml', field: 'spec.clusterTemplate.path' };
  if (fs.stat(dir)?.kind !== 'directory') {
    return fail(new FlotillaError('BOOTSTRAP_TEMPLATE_INVALID', `flotilla.yaml: spec.clusterTemplate.path: ${templatePath} is not a directory of the fleet repository`, { ...where, hint: 'Create the directory with the files of a new cluster\'s overlay, or fix the path.' }));
  }
  const realRoot = fs.realpath(rootDir);
  const realDir = fs.realpath(dir);
  if (realDir !== realRoot && !realDir.startsWith(`${realRoot}/`)) {
    return fail(new FlotillaError('PATH_OUTSIDE_ROOT', `flotilla.yaml: spec.clusterTemplate.path: ${templatePath} leads outside the repository (through a symbolic link)`, where));
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const files: TemplateFile[] = [];
  const issues: Issue[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const name of [...fs.readdir(abs)].sort()) {
      const path = `${abs}/${name}`;
      const relPath = rel ? `${rel}/${name}` : name;
      const kind = fs.stat(path)?.kind;
      if (kind === 'directory') walk(path, relPath);
      else if (kind === 'file') {
        try {
          files.push({ path: relPath, text: decoder.decode(fs.readFile(path)) });
        } catch {
          issues.push(new FlotillaError('FILE_NOT_TEXT', `${templatePath}/${relPath}: a cluster template file must be UTF-8 text`, { file: `${templatePath}/${relPath}` }));
        }
      }
    }
  };
  walk(dir, '');
  return issues.length ? fail(...issues) : ok(files);
}

/**
 * withFiles is a FleetFs that shows `files` (relative to root) on top of `fs`, so that a fleet can
 * be loaded and rendered as it will be once they are written, before anything is written.
 */
export function withFiles(fs: FleetFs, root: string, files: readonly ScaffoldFile[]): FleetFs {
  const rootDir = root.replace(/\/+$/, '') || '/';
  const added = new Map<string, Uint8Array>();
  const dirs = new Map<string, Set<string>>();
  const encoder = new TextEncoder();
  for (const file of files) {
    const abs = posix.join(rootDir, file.path);
    added.set(abs, encoder.encode(file.text));
    let child = abs;
    let parent = posix.dirname(abs);
    while (child !== rootDir && child !== parent) {
      const names = dirs.get(parent) ?? new Set<string>();
      names.add(posix.basename(child));
      dirs.set(parent, names);
      child = parent;
      parent = posix.dirname(parent);
    }
  }
  return {
    readFile(path) {
      return added.get(path) ?? fs.readFile(path);
    },
    stat(path) {
      const bytes = added.get(path);
      if (bytes) return { kind: 'file', size: bytes.length };
      if (dirs.has(path)) return { kind: 'directory', size: 0 };
      return fs.stat(path);
    },
    readdir(path) {
      const extra = dirs.get(path);
      if (!extra) return fs.readdir(path);
      const own = fs.stat(path)?.kind === 'directory' ? fs.readdir(path) : [];
      return [...new Set([...own, ...extra])].sort();
    },
    realpath(path) {
      if (fs.stat(path) !== undefined) return fs.realpath(path);
      // A file or directory not written yet resolves through its nearest existing ancestor, so a
      // root reached through a symbolic link (macOS /tmp) still contains it.
      let existing = path;
      while (fs.stat(existing) === undefined && existing !== posix.dirname(existing)) existing = posix.dirname(existing);
      return posix.join(fs.realpath(existing), posix.relative(existing, path));
    },
  };
}

/** InitOptions choose what `flotilla init` scaffolds. */
export interface InitOptions {
  /** The fleet's name (metadata.name). */
  name: string;
  /** Environments, in promotion order (they become rollout waves). @default defaultInitEnvs */
  envs?: string[];
  /** Regions; one cluster per environment × region. @default defaultInitRegions */
  regions?: string[];
}

/** initClusterName is the name init gives the cluster of an environment in a region: `<env>-<region>`. */
export function initClusterName(env: string, region: string): string {
  return `${env}-${region}`;
}

function listProblems(values: readonly string[], option: string): Issue[] {
  const issues: Issue[] = [];
  if (values.length === 0) issues.push(new FlotillaError('USAGE', `${option} names nothing; give at least one name`));
  const seen = new Set<string>();
  for (const value of values) {
    const problem = nameProblem(value);
    if (problem) issues.push(new FlotillaError('USAGE', `${option}: "${value}" ${problem}`));
    if (seen.has(value)) issues.push(new FlotillaError('USAGE', `${option}: "${value}" is given twice`));
    seen.add(value);
  }
  return issues;
}

// The template init writes. Values that start with a template are quoted so that the file stays
// YAML before it is expanded too (editors, linters). The cluster overlay builds on its
// environment, labels everything with the cluster's name (the identity guard checks that label),
// and generates the cluster-identity ConfigMap the guard compares with the record.
const initTemplate = `# The overlay of one cluster. flotilla bootstrap copies this directory into clusters/NAME/
# and fills in the templates: cluster.name, cluster.labels.KEY and cluster.identity.KEY in
# double braces (anywhere in the text, comments too).
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../environments/{{cluster.labels.env}}
# The identity guard blocks any object whose "cluster" label names another cluster.
labels:
- pairs:
    cluster: "{{cluster.name}}"
    region: "{{cluster.labels.region}}"
# The identity guard compares this ConfigMap with spec.identity of clusters/NAME/cluster.yaml.
configMapGenerator:
- name: cluster-identity
  namespace: kube-system
  options:
    disableNameSuffixHash: true
  literals:
  - CLUSTER_NAME={{cluster.name}}
`;

function fleetFile(name: string, envs: readonly string[]): string {
  const waves = envs.map((env) => `    - name: ${env}\n      selector: {matchLabels: {env: ${env}}}\n`).join('');
  return `# The fleet file: which releases go to which clusters, and how changes move through them.
# Reference: docs/fleet-reference.md in Flotilla's documentation.
apiVersion: ${apiVersion}
kind: Fleet
metadata:
  name: ${name}
spec:
  # Cluster records: one clusters/NAME/cluster.yaml per cluster (flotilla bootstrap writes them).
  clusters: clusters/*/cluster.yaml
  # What flotilla bootstrap copies into clusters/NAME/ for a new cluster.
  clusterTemplate:
    path: ${initTemplatePath}
  releases:
  # Each cluster's own overlay: base → environments/ENV → clusters/NAME.
  - name: cluster-config
    path: clusters/{{cluster.name}}
    targets:
      selector: {}
  # A new revision reaches the environments in this order. Add soak: 10m or approval: manual
  # to a wave to wait between them.
  rollout:
    waves:
${waves}  guards:
  - name: identity
    builtin: identity
`;
}

function readme(name: string, envs: readonly string[], regions: readonly string[]): string {
  const env = envs[0]!;
  return `# ${name}: the fleet repository

Every Kubernetes cluster of the platform is described here; Flotilla makes each cluster match it.

| path | what |
|---|---|
| \`flotilla.yaml\` | the fleet file: releases, the clusters they target, rollout waves, guards |
| \`base/\` | what every cluster gets |
| \`environments/<env>/\` | what one environment (${envs.join(', ')}) changes on top of the base |
| \`clusters/<name>/cluster.yaml\` | one record per cluster: labels (\`env\`, \`region\`), identity, kubeconfig context |
| \`clusters/<name>/kustomization.yaml\` | the cluster's own overlay, built on its environment |
| \`${initTemplatePath}/\` | the overlay a new cluster starts from |

The clusters are named \`<env>-<region>\` (regions: ${regions.join(', ')}); each record's
\`spec.connection.context\` names a context of the kubeconfig Flotilla runs with. Credentials never
live in this repository.

## Everyday commands

\`\`\`sh
flotilla render                          # the desired state of every cluster, from this directory
flotilla render --cluster ${initClusterName(env, regions[0]!)}   # one cluster
flotilla plan                            # what this branch changes, cluster by cluster (needs Git)
flotilla sync --cluster ${initClusterName(env, regions[0]!)}     # apply it to one cluster now
\`\`\`

## Adding a cluster

\`\`\`sh
flotilla bootstrap ${env}-ap-south --label env=${env} --label region=ap-south --context ${env}-ap-south --commit
\`\`\`

writes \`clusters/${env}-ap-south/\` from \`${initTemplatePath}/\`, records the cluster's fingerprint (the
uid of its kube-system namespace, read through the context) and commits. Every release whose
selector matches the new labels deploys to it at the next sync; nothing else needs to change.

## Changing what clusters run

Change \`base/\` for every cluster, \`environments/<env>/\` for one environment, or
\`clusters/<name>/\` for one cluster. Run \`flotilla plan\` before merging: it lists every object
that changes in every cluster.
`;
}

/**
 * initFiles lists the files of a new fleet repository in the layout of SPEC §2: flotilla.yaml, a
 * base, one overlay per environment, a cluster template, and per environment × region a cluster
 * record with its overlay (expanded from the same template bootstrap uses), plus a README for the
 * platform team. `flotilla render` works on the result with no edits.
 */
export function initFiles(options: InitOptions): Result<ScaffoldFile[]> {
  const envs = options.envs ?? defaultInitEnvs;
  const regions = options.regions ?? defaultInitRegions;
  const issues = [...listProblems(envs, '--envs'), ...listProblems(regions, '--regions')];
  const fleetProblem = nameProblem(options.name);
  if (fleetProblem) issues.push(new FlotillaError('USAGE', `fleet name "${options.name}" ${fleetProblem}`, { hint: 'Pass --name NAME.' }));
  for (const env of envs) {
    for (const region of regions) {
      const name = initClusterName(env, region);
      if (!nameProblem(env) && !nameProblem(region) && nameProblem(name)) issues.push(new FlotillaError('USAGE', `cluster name "${name}" (--envs ${env} × --regions ${region}) ${nameProblem(name)}`));
    }
  }
  if (issues.length) return fail(...issues);

  const files: ScaffoldFile[] = [
    { path: 'flotilla.yaml', text: fleetFile(options.name, envs) },
    { path: 'README.md', text: readme(options.name, envs, regions) },
    {
      path: 'base/kustomization.yaml',
      text: `# What every cluster gets. environments/<env>/ builds on it.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- namespace.yaml
- cluster-info.yaml
labels:
- pairs:
    app.kubernetes.io/managed-by: flotilla
`,
    },
    {
      path: 'base/namespace.yaml',
      text: `apiVersion: v1
kind: Namespace
metadata:
  name: platform
`,
    },
    {
      path: 'base/cluster-info.yaml',
      text: `# \${CLUSTER_NAME} is replaced per cluster after rendering: every key of the cluster's
# spec.identity is a variable, and CLUSTER_NAME always is.
apiVersion: v1
kind: ConfigMap
metadata:
  name: cluster-info
  namespace: platform
data:
  cluster: \${CLUSTER_NAME}
`,
    },
    { path: `${initTemplatePath}/kustomization.yaml`, text: initTemplate },
  ];
  for (const env of envs) {
    files.push({
      path: `environments/${env}/kustomization.yaml`,
      text: `# What the ${env} environment changes on top of the base.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
- ../../base
labels:
- pairs:
    env: ${env}
`,
    });
  }
  for (const env of envs) {
    for (const region of regions) {
      const cluster: NewCluster = { name: initClusterName(env, region), labels: { env, region }, identity: {} };
      files.push(clusterRecordFile(cluster, 'Written by flotilla init. spec.connection.context names a context of your kubeconfig;\nflotilla bootstrap records spec.fingerprint when it reads the live cluster.'));
      const overlay = expandClusterTemplate(initTemplatePath, [{ path: 'kustomization.yaml', text: initTemplate }], cluster);
      if (!overlay.ok) return overlay;
      files.push(...overlay.value);
    }
  }
  return ok(files);
}
