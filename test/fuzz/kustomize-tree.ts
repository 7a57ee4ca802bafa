// Arbitraries for kustomization trees: a build directory with a kustomization, resource files,
// patches, env and data files, a base and a component, files outside the root and symbolic links
// (out of the root, in a loop, to an ancestor). The kustomizations are valid-ish: every field
// kustomize v5 knows, filled with plausible values that name the generated files, then mutated
// (wrong types, unknown fields, hostile paths and names) and sometimes broken as text.
import fc from 'fast-check';
import { anyString, applyMutations, applyTextMutations, dnsName, encoding, jsonish, labelKey, labels, labelValue, longString, mutations, nameLike, textMutations, toText, type Encoding, type Mutation, type TextMutation } from './values.js';

/** Tree is a file tree for memoryFs, the directory to build and the repository root. */
export interface Tree {
  files: Record<string, string | Uint8Array | { symlink: string }>;
  dir: string;
  root: string;
}

const image = fc.oneof(
  fc.constantFrom('nginx', 'nginx:1.25', 'registry.example.com/team/web:v2', 'redis@sha256:' + 'a'.repeat(64), 'busybox'),
  anyString,
);

const container = fc.record(
  {
    name: dnsName,
    image,
    ports: fc.array(fc.record({ containerPort: fc.oneof(fc.integer({ min: 1, max: 65535 }), jsonish), protocol: fc.constantFrom('TCP', 'UDP') }, { requiredKeys: ['containerPort'] }), { maxLength: 2 }),
    env: fc.array(
      fc.oneof(
        fc.record({ name: fc.constantFrom('LOG_LEVEL', 'REGION'), value: fc.constantFrom('info', '${REGION}', '${LOG_LEVEL:=debug}', '$${LITERAL}') }),
        fc.record({ name: fc.constant('FROM_CM'), valueFrom: fc.record({ configMapKeyRef: fc.record({ name: dnsName, key: fc.constantFrom('a', 'k') }) }) }),
      ),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['name', 'image'] },
);

const metadata = fc.record(
  { name: fc.oneof({ weight: 4, arbitrary: dnsName }, { weight: 1, arbitrary: nameLike }), namespace: fc.oneof(dnsName, anyString), labels, annotations: fc.dictionary(labelKey, labelValue, { maxKeys: 2 }) },
  { requiredKeys: ['name'] },
);

const configMap = fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('ConfigMap'), metadata, data: fc.dictionary(fc.oneof(fc.constantFrom('a', 'k', 'config.yaml'), anyString), fc.oneof(anyString, fc.constant('${REGION}'))) });

const deployment = fc.record({
  apiVersion: fc.constant('apps/v1'),
  kind: fc.constant('Deployment'),
  metadata,
  spec: fc.record({
    replicas: fc.oneof(fc.integer({ min: 0, max: 5 }), jsonish),
    selector: fc.record({ matchLabels: labels }),
    template: fc.record({
      metadata: fc.record({ labels }),
      spec: fc.record(
        {
          containers: fc.array(container, { maxLength: 3 }),
          volumes: fc.array(fc.record({ name: dnsName, configMap: fc.record({ name: dnsName }) }), { maxLength: 2 }),
          serviceAccountName: dnsName,
        },
        { requiredKeys: ['containers'] },
      ),
    }),
  }),
});

const service = fc.record({
  apiVersion: fc.constant('v1'),
  kind: fc.constant('Service'),
  metadata,
  spec: fc.record({ selector: labels, ports: fc.array(fc.record({ port: fc.integer({ min: 1, max: 65535 }), targetPort: fc.oneof(fc.integer({ min: 1, max: 65535 }), dnsName) }), { maxLength: 2 }) }),
});

const simple = fc.record({
  apiVersion: fc.constantFrom('v1', 'rbac.authorization.k8s.io/v1', 'example.com/v1', 'apiextensions.k8s.io/v1'),
  kind: fc.constantFrom('Namespace', 'ServiceAccount', 'ClusterRole', 'Widget', 'CustomResourceDefinition', 'Secret'),
  metadata,
});

const freeform = fc.record({ apiVersion: fc.oneof(anyString, jsonish), kind: fc.oneof(anyString, jsonish), metadata: fc.oneof(metadata, jsonish) }, { requiredKeys: [] });

/** kubeObject is one Kubernetes object, mostly of a known kind. */
export const kubeObject: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 6, arbitrary: configMap },
  { weight: 6, arbitrary: deployment },
  { weight: 4, arbitrary: service },
  { weight: 4, arbitrary: simple },
  { weight: 1, arbitrary: freeform },
);

/** listObject is a List (or FooList) of objects, which kustomize flattens. */
export const listObject = fc.record({ apiVersion: fc.constant('v1'), kind: fc.constantFrom('List', 'ConfigMapList', 'WeirdList'), items: fc.oneof(fc.array(kubeObject, { maxLength: 3 }), jsonish) });

/** YamlFile is generated documents with their mutations and encoding, written by renderFile. */
export interface YamlFile {
  docs: unknown[];
  mutations: Mutation[];
  style: Encoding;
  text: TextMutation[];
}

/** yamlFile makes a file of generated documents. */
export function yamlFile(doc: fc.Arbitrary<unknown>, maxDocs = 3, minDocs = 0): fc.Arbitrary<YamlFile> {
  return fc.record({ docs: fc.array(doc, { minLength: minDocs, maxLength: maxDocs }), mutations, style: encoding, text: textMutations });
}

/** renderFile writes a YamlFile as text. */
export function renderFile(f: YamlFile): string {
  const docs = applyMutations(f.docs, f.mutations) as unknown;
  return applyTextMutations(toText(Array.isArray(docs) ? docs : [docs], f.style), f.text);
}

/** resourceFile is a resource file: objects and Lists. */
export const resourceFile = yamlFile(fc.oneof({ weight: 5, arbitrary: kubeObject }, { weight: 1, arbitrary: listObject }), 3, 1);

// ---- references between files

/** The files every generated tree has, relative to the build directory. */
const present = ['r0.yaml', 'r1.yaml', 'r2.yaml', 'patch0.yaml', 'patch1.yaml', 'ops.json', 'vars.env', 'data.txt', 'blob.bin', 'config.yaml', 'replacements.yaml'];

/** relPath is a path a kustomization names: mostly one of the tree's files, sometimes hostile. */
export const relPath = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...present) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'base',
      'comp',
      'missing.yaml',
      '../shared/cm.yaml',
      '../shared',
      '../outside.yaml',
      '/repo/outside.yaml',
      '/etc/passwd',
      '..',
      '.',
      './',
      '../..',
      '../../../../../../../../etc/passwd',
      'out-link.yaml',
      'loop-a',
      'up',
      'up/app',
      'self',
      'dir-link',
      'base/../r0.yaml',
      'base/r.yaml',
      'https://github.com/org/repo//deploy?ref=v1',
      'git@github.com:org/repo.git',
      'github.com/org/repo',
      'r0.yaml/',
      'r0.yaml\u0000',
      'ü.yaml',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.oneof(anyString, longString) },
);

const smpPatch = fc.record({
  apiVersion: fc.constantFrom('apps/v1', 'v1'),
  kind: fc.constantFrom('Deployment', 'ConfigMap', 'Service'),
  metadata: fc.record({ name: dnsName, namespace: dnsName, labels, $patch: fc.constantFrom('delete', 'replace', 'merge') }, { requiredKeys: ['name'] }),
  spec: fc.record({
    replicas: fc.integer({ min: 0, max: 9 }),
    template: fc.record({ spec: fc.record({ containers: fc.array(fc.record({ name: dnsName, image, $patch: fc.constantFrom('delete', 'replace') }, { requiredKeys: ['name'] }), { maxLength: 2 }), $setElementOrder: jsonish }) }),
  }),
  data: fc.dictionary(fc.constantFrom('a', 'k'), fc.oneof(anyString, fc.constant(null))),
});

const jsonPointer = fc.oneof(
  fc.constantFrom('/spec/replicas', '/metadata/labels/app', '/metadata/name', '/data/a', '/spec/template/spec/containers/0/image', '/spec/template/spec/containers/-', '/metadata/annotations/x~1y', '/', '', '/spec/ports/99', '/data'),
  anyString.map((s) => '/' + s),
);

const jsonOp = fc.record(
  {
    op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test'), anyString),
    path: jsonPointer,
    from: jsonPointer,
    value: jsonish,
  },
  { requiredKeys: ['op', 'path'] },
);

/** patchText is the text of a patch: strategic merge objects or a list of JSON 6902 operations. */
export const patchFile = fc.oneof(yamlFile(smpPatch, 2), yamlFile(fc.array(jsonOp, { maxLength: 4 }), 1));

const regexLike = fc.oneof({ weight: 6, arbitrary: fc.oneof(dnsName, fc.constantFrom('.*', 'web|db', 'web.*', 'Deployment', 'ConfigMap', '[', '(', '*', '\\', '(?i)web', 'a{2,}', 'apps', 'v1')) }, { weight: 1, arbitrary: anyString });

const selector = fc.record(
  {
    group: fc.oneof(fc.constantFrom('apps', ''), regexLike),
    version: fc.oneof(fc.constantFrom('v1'), regexLike),
    kind: fc.oneof(fc.constantFrom('Deployment', 'ConfigMap', 'Service'), regexLike),
    name: regexLike,
    namespace: regexLike,
    labelSelector: fc.oneof(fc.constantFrom('app=web', 'env in (prod,dev)', '!tier', 'app', 'app!=x,env', 'a=b=c', '=', 'in (', 'x notin ()'), anyString),
    annotationSelector: fc.oneof(fc.constantFrom('a=b', 'x'), anyString),
  },
  { requiredKeys: [] },
);

const fieldPath = fc.oneof(
  fc.constantFrom('metadata.name', 'spec.replicas', 'data.a', 'spec.template.spec.containers.0.image', 'spec.template.spec.containers.[name=web].image', 'metadata.labels.app', 'spec.selector.matchLabels', 'metadata.annotations.[x.y]', 'data.[', 'spec.*.x', '', '.'),
  anyString,
);

const inlineReplacement = fc.record(
  {
    source: fc.record({ kind: regexLike, name: regexLike, namespace: regexLike, fieldPath, options: fc.record({ delimiter: fc.constantFrom('-', '.', ''), index: fc.integer({ min: -2, max: 3 }), create: fc.boolean() }) }, { requiredKeys: [] }),
    targets: fc.array(
      fc.record({ select: selector, reject: fc.array(selector, { maxLength: 1 }), fieldPaths: fc.array(fieldPath, { maxLength: 2 }), options: fc.record({ delimiter: fc.constantFrom('-', '/'), index: fc.integer({ min: -1, max: 2 }), create: fc.boolean() }) }, { requiredKeys: [] }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: [] },
);

const replacement = fc.oneof({ weight: 4, arbitrary: inlineReplacement }, { weight: 1, arbitrary: fc.record({ path: fc.oneof(fc.constant('replacements.yaml'), relPath) }) });

const generatorOptions = fc.record({ labels, annotations: labels, disableNameSuffixHash: fc.boolean(), immutable: fc.boolean() }, { requiredKeys: [] });

const literal = fc.oneof(fc.constantFrom('a=1', 'k=v', 'A="quoted"', "B='single'", 'EMPTY=', 'noequals', '=novalue', 'x=y=z', 'a=1\nb=2', 'é=1', 'a.b-c_d=ok', '../x=1'), anyString);
const fileSource = fc.oneof(relPath, fc.constantFrom('key=data.txt', 'bin=blob.bin', '=data.txt', 'key=', 'a=b=c', 'k=../outside.yaml', 'k=/etc/passwd', 'k=dir-link/r0.yaml'));

const generator = fc.record(
  {
    name: nameLike,
    namespace: fc.oneof(dnsName, anyString),
    behavior: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('create', 'merge', 'replace') }, { weight: 1, arbitrary: fc.constantFrom('', 'bogus') }),
    literals: fc.array(literal, { maxLength: 3 }),
    files: fc.array(fileSource, { maxLength: 2 }),
    envs: fc.array(fc.oneof(fc.constant('vars.env'), relPath), { maxLength: 1 }),
    env: fc.oneof(fc.constant('vars.env'), relPath),
    options: generatorOptions,
  },
  { requiredKeys: ['name'] },
);

const secretGenerator = fc.tuple(generator, fc.option(fc.constantFrom('Opaque', 'kubernetes.io/tls', ''), { nil: undefined })).map(([g, type]) => (type === undefined ? g : { ...g, type }));

const patchEntry = fc.record(
  {
    path: fc.oneof(fc.constantFrom('patch0.yaml', 'patch1.yaml', 'ops.json'), relPath),
    patch: fc.oneof(patchFile.map(renderFile), anyString),
    target: selector,
    options: fc.record({ allowNameChange: fc.boolean(), allowKindChange: fc.boolean() }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

interface Field {
  valid: fc.Arbitrary<unknown>;
  any: fc.Arbitrary<unknown>;
}

/** field is a kustomization field's value: plausible most of the time, hostile some of the time. */
function field<T>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown> = jsonish): Field {
  return { valid, any: fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: hostile }) };
}

function only(value: fc.Arbitrary<unknown>): Field {
  return { valid: value, any: value };
}

const kustomizationFields: Record<string, Field> = {
  apiVersion: field(fc.constant('kustomize.config.k8s.io/v1beta1'), fc.constantFrom('kustomize.config.k8s.io/v1alpha1', 'v1')),
  kind: field(fc.constant('Kustomization'), fc.constantFrom('Component', 'Other')),
  resources: field(fc.array(fc.oneof({ weight: 6, arbitrary: fc.constantFrom('r0.yaml', 'r1.yaml', 'r2.yaml', 'base') }, { weight: 1, arbitrary: relPath }), { minLength: 1, maxLength: 4 })),
  bases: field(fc.array(fc.constantFrom('base', 'r0.yaml'), { maxLength: 1 }), fc.array(relPath, { maxLength: 1 })),
  components: field(fc.constant(['comp']), fc.array(relPath, { maxLength: 1 })),
  crds: field(fc.constant(['config.yaml']), fc.array(relPath, { maxLength: 1 })),
  configurations: field(fc.constant(['config.yaml']), fc.array(relPath, { maxLength: 1 })),
  namespace: field(dnsName, fc.oneof(anyString, longString)),
  namePrefix: field(fc.constantFrom('p-', 'x'), fc.oneof(anyString, longString)),
  nameSuffix: field(fc.constantFrom('-s', '-v2'), anyString),
  commonLabels: field(labels),
  labels: field(fc.array(fc.record({ pairs: labels, includeSelectors: fc.boolean(), includeTemplates: fc.boolean(), fields: fc.array(fc.record({ kind: regexLike, path: fieldPath.map((p) => p.replace(/\./g, '/')), create: fc.boolean() }, { requiredKeys: ['path'] }), { maxLength: 1 }) }, { requiredKeys: ['pairs'] }), { maxLength: 2 })),
  commonAnnotations: field(labels),
  configMapGenerator: field(fc.array(generator, { minLength: 1, maxLength: 2 })),
  secretGenerator: field(fc.array(secretGenerator, { minLength: 1, maxLength: 1 })),
  generatorOptions: field(generatorOptions),
  patches: field(fc.array(patchEntry, { minLength: 1, maxLength: 3 })),
  patchesStrategicMerge: field(fc.array(fc.oneof(fc.constantFrom('patch0.yaml', 'patch1.yaml'), relPath, patchFile.map(renderFile)), { minLength: 1, maxLength: 2 })),
  patchesJson6902: field(fc.array(fc.oneof(fc.record({ path: fc.oneof(fc.constant('ops.json'), relPath), target: selector }), fc.record({ patch: fc.oneof(patchFile.map(renderFile), anyString), target: selector })), { minLength: 1, maxLength: 1 })),
  images: field(fc.array(fc.record({ name: fc.oneof(fc.constantFrom('nginx', 'redis', 'registry.example.com/team/web', '*', '.*', '(a+)+'), anyString), newName: fc.oneof(fc.constantFrom('mirror/nginx'), anyString), newTag: fc.oneof(fc.constantFrom('1.26', 'latest'), anyString), digest: fc.constantFrom('sha256:' + 'b'.repeat(64), 'bogus', '') }, { requiredKeys: ['name'] }), { minLength: 1, maxLength: 2 })),
  replicas: field(fc.array(fc.record({ name: nameLike, count: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: -1, max: 10 }) }, { weight: 1, arbitrary: jsonish }) }), { minLength: 1, maxLength: 2 })),
  replacements: field(fc.array(replacement, { minLength: 1, maxLength: 2 })),
  sortOptions: field(fc.oneof(fc.constant({ order: 'fifo' }), fc.record({ order: fc.constant('legacy'), legacySortOptions: fc.record({ orderFirst: fc.array(fc.constantFrom('Namespace', 'Deployment', 'Bogus'), { maxLength: 2 }), orderLast: fc.array(fc.constantFrom('Service', 'ConfigMap'), { maxLength: 2 }) }) }))),
  vars: only(fc.array(jsonish, { maxLength: 1 })),
  transformers: only(fc.array(relPath, { maxLength: 1 })),
  namePrefx: only(anyString),
};

// Plugins, vars and misspelt fields end every build at once; they are drawn rarely.
const rareFields = new Set(['vars', 'transformers', 'namePrefx', 'crds', 'apiVersion', 'kind']);
const fieldNames = Object.keys(kustomizationFields).filter((f) => !rareFields.has(f) && f !== 'resources');

/** kustomizationValue is a kustomization as a value, before mutation: a few fields, as most are. */
export const kustomizationValue: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(fc.subarray(fieldNames, { minLength: 0, maxLength: 4 }), fc.subarray([...rareFields], { maxLength: 1 }), fc.nat(20))
  .chain(([common, rare, dice]) => {
    // Nearly every kustomization lists resources; a few fields act on them.
    const keys = [...(dice < 18 ? ['resources'] : []), ...common, ...(dice % 5 === 0 ? rare : [])];
    return fc.record(Object.fromEntries(keys.map((key) => [key, kustomizationFields[key]!.any])));
  });

const cleanFieldNames = ['namespace', 'namePrefix', 'nameSuffix', 'commonLabels', 'labels', 'commonAnnotations', 'configMapGenerator', 'secretGenerator', 'generatorOptions', 'patches', 'images', 'replicas', 'replacements', 'sortOptions'];

/** cleanKustomizationValue lists resources and sets a few fields, all plausible: builds get far. */
export const cleanKustomizationValue: fc.Arbitrary<Record<string, unknown>> = fc.subarray(cleanFieldNames, { maxLength: 4 }).chain((keys) =>
  fc.record({
    resources: fc.subarray(['r0.yaml', 'r1.yaml', 'r2.yaml'], { minLength: 1 }),
    ...Object.fromEntries(keys.map((key) => [key, kustomizationFields[key]!.valid])),
  }),
);

const configFile = yamlFile(
  fc.record(
    {
      namePrefix: fc.array(fc.record({ kind: regexLike, path: fieldPath.map((p) => p.replace(/\./g, '/')) }), { maxLength: 2 }),
      commonLabels: fc.array(fc.record({ kind: regexLike, path: fc.constantFrom('spec/selector', 'metadata/labels', 'spec/x/y'), create: fc.boolean() }), { maxLength: 2 }),
      nameReference: fc.array(fc.record({ kind: fc.constantFrom('ConfigMap', 'Widget'), fieldSpecs: fc.array(fc.record({ kind: regexLike, path: fc.constantFrom('spec/config', 'spec/template/spec/volumes/configMap/name') }), { maxLength: 2 }) }), { maxLength: 1 }),
      images: fc.array(fc.record({ kind: regexLike, path: fc.constantFrom('spec/image', 'spec/containers[]/image') }), { maxLength: 1 }),
    },
    { requiredKeys: [] },
  ),
  1,
);

const envFile = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom('A=1', 'B=two words', '# comment', '', 'export X=1', 'C', ' D=leading', 'E=x=y', '1BAD=1', 'É=1', 'F=\r'), anyString), { maxLength: 5 }).map((lines) => lines.join('\n')),
);

const dataBytes = fc.oneof(
  anyString.map((s) => s as string | Uint8Array),
  fc.uint8Array({ maxLength: 64 }),
  fc.constantFrom(new Uint8Array([0xff, 0xfe, 0x00, 0x01]), new Uint8Array([0xc3, 0x28]), new Uint8Array([0xe2, 0x82]), new Uint8Array([0xef, 0xbb, 0xbf, 0x61]), new Uint8Array([0xed, 0xa0, 0x80])),
);

const baseKustomization = fc.record(
  {
    resources: fc.array(fc.oneof({ weight: 8, arbitrary: fc.constant('r.yaml') }, { weight: 1, arbitrary: fc.constantFrom('..', '../r0.yaml', '../base', 'missing') }, { weight: 1, arbitrary: relPath }), { maxLength: 2 }),
    namePrefix: fc.constantFrom('base-', ''),
    commonLabels: labels,
    configMapGenerator: fc.array(fc.record({ name: dnsName, literals: fc.array(literal, { maxLength: 2 }) }), { maxLength: 1 }),
    kind: fc.oneof({ weight: 6, arbitrary: fc.constant('Kustomization') }, { weight: 1, arbitrary: fc.constant('Component') }),
  },
  { requiredKeys: [] },
);

const componentKustomization = fc.record(
  {
    apiVersion: fc.constantFrom('kustomize.config.k8s.io/v1alpha1', 'kustomize.config.k8s.io/v1beta1'),
    kind: fc.constantFrom('Component', 'Kustomization'),
    resources: fc.array(fc.constantFrom('c.yaml', '../r1.yaml'), { maxLength: 1 }),
    patches: fc.array(patchEntry, { maxLength: 1 }),
    namePrefix: fc.constantFrom('c-', ''),
  },
  { requiredKeys: [] },
);

/** Links are the symbolic links a tree may have. */
const links = fc.record({ outLink: fc.boolean(), loop: fc.boolean(), up: fc.boolean(), self: fc.boolean(), dirLink: fc.boolean() });

const cleanObject = fc.oneof(configMap, deployment, service);

/** cleanResourceFile is one to three objects of common kinds, unmutated. */
export const cleanResourceFile: fc.Arbitrary<YamlFile> = fc.record({ docs: fc.array(cleanObject, { minLength: 1, maxLength: 3 }), mutations: fc.constant([]), style: fc.constant<Encoding>('yaml'), text: fc.constant([]) });

/** kustomizeTree is a whole tree to build: hostile here and there. */
export const kustomizeTree = treeOf(kustomizationValue, resourceFile, mutations, textMutations);

/** cleanKustomizeTree is a tree with plausible files only: most build, through every transformer. */
export const cleanKustomizeTree = treeOf(cleanKustomizationValue, cleanResourceFile, fc.constant([]), fc.constant([]));

function treeOf(kustomization: fc.Arbitrary<Record<string, unknown>>, resource: fc.Arbitrary<YamlFile>, kMutations: fc.Arbitrary<Mutation[]>, kText: fc.Arbitrary<TextMutation[]>): fc.Arbitrary<Tree> {
  return fc
  .record({
    kustomization,
    kMutations,
    kStyle: encoding,
    kText,
    resources: fc.tuple(resource, resource, resource),
    patches: fc.tuple(patchFile, patchFile, patchFile),
    env: envFile,
    data: dataBytes,
    blob: dataBytes,
    config: configFile,
    replacements: yamlFile(replacement, 1),
    base: fc.option(fc.record({ k: baseKustomization, r: resourceFile }), { freq: 12 }),
    component: fc.option(fc.record({ k: componentKustomization, r: resourceFile }), { freq: 12 }),
    links,
  })
  .map((g) => {
    const app = '/repo/app';
    const files: Tree['files'] = {
      [`${app}/kustomization.yaml`]: applyTextMutations(toText([applyMutations(g.kustomization, g.kMutations)], g.kStyle), g.kText),
      [`${app}/r0.yaml`]: renderFile(g.resources[0]),
      [`${app}/r1.yaml`]: renderFile(g.resources[1]),
      [`${app}/r2.yaml`]: renderFile(g.resources[2]),
      [`${app}/patch0.yaml`]: renderFile(g.patches[0]),
      [`${app}/patch1.yaml`]: renderFile(g.patches[1]),
      [`${app}/ops.json`]: renderFile(g.patches[2]),
      [`${app}/vars.env`]: g.env,
      [`${app}/data.txt`]: g.data,
      [`${app}/blob.bin`]: g.blob,
      [`${app}/config.yaml`]: renderFile(g.config),
      [`${app}/replacements.yaml`]: renderFile(g.replacements),
      '/repo/outside.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: stolen\ndata:\n  token: c2VjcmV0\n',
      '/repo/shared/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n',
      '/repo/shared/kustomization.yaml': 'resources:\n- cm.yaml\n',
    };
    if (g.base) {
      files[`${app}/base/kustomization.yaml`] = toText([g.base.k], 'yaml');
      files[`${app}/base/r.yaml`] = renderFile(g.base.r);
    }
    if (g.component) {
      files[`${app}/comp/kustomization.yaml`] = toText([g.component.k], 'yaml');
      files[`${app}/comp/c.yaml`] = renderFile(g.component.r);
    }
    if (g.links.outLink) files[`${app}/out-link.yaml`] = { symlink: '/repo/outside.yaml' };
    if (g.links.loop) {
      files[`${app}/loop-a`] = { symlink: `${app}/loop-b` };
      files[`${app}/loop-b`] = { symlink: `${app}/loop-a` };
    }
    if (g.links.up) files[`${app}/up`] = { symlink: '/repo' };
    if (g.links.self) files[`${app}/self`] = { symlink: app };
    if (g.links.dirLink) files[`${app}/dir-link`] = { symlink: '/repo/shared' };
    return { files, dir: app, root: '/repo' };
  });
}

/** describeTree prints a tree for a failure report (binary files as hex). */
export function describeTree(tree: Tree): string {
  const lines: string[] = [`build ${tree.dir} (root ${tree.root})`];
  for (const [path, content] of Object.entries(tree.files)) {
    if (typeof content === 'string') lines.push(`== ${path}\n${content}`);
    else if (content instanceof Uint8Array) lines.push(`== ${path} (bytes) ${Buffer.from(content).toString('hex')}`);
    else lines.push(`== ${path} -> ${content.symlink}`);
  }
  return abbreviate(lines.join('\n'));
}

/** abbreviate shortens long runs of one character in a failure report: "L×20000". */
export function abbreviate(text: string): string {
  return text.replace(/(.)\1{99,}/gsu, (run, c: string) => `${c}×${[...run].length}`);
}
