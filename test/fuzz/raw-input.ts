// Arbitraries for raw file contents: random bytes, invalid UTF-8, NUL bytes, byte order marks
// (UTF-8, UTF-16, UTF-32), UTF-16 text, CRLF and lone CR line ends, valid YAML with bytes spliced
// in, deep nesting (flow, block and compact sequences) and alias chains (fan-out bombs, long
// chains, merge keys), each written to one entry point of a tree that is otherwise valid.
import fc from 'fast-check';
import { exampleFiles, fleetRoot } from './fleet-tree.js';
import type { Tree } from './kustomize-tree.js';

const encoder = new TextEncoder();

/** invalidUtf8 are byte sequences no UTF-8 decoder may accept. */
export const invalidUtf8 = [
  [0x80],
  [0xbf],
  [0xc0, 0xaf],
  [0xc3],
  [0xe2, 0x82],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
].map((b) => new Uint8Array(b));

const boms = [[0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff], [0xff, 0xfe, 0x00, 0x00], [0x00, 0x00, 0xfe, 0xff]].map((b) => new Uint8Array(b));

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** deepNesting is a document nested `depth` levels deep, in one of four styles. */
export function deepNesting(depth: number, style: 'flow-seq' | 'flow-map' | 'block-seq' | 'block-map', prefix = ''): string {
  switch (style) {
    case 'flow-seq':
      return `${prefix}${'['.repeat(depth)}x${']'.repeat(depth)}\n`;
    case 'flow-map':
      return `${prefix}${'{a: '.repeat(depth)}x${'}'.repeat(depth)}\n`;
    case 'block-seq':
      return `${prefix}${'- '.repeat(depth)}x\n`;
    case 'block-map': {
      let out = prefix;
      for (let i = 0; i < depth; i++) out += `${' '.repeat(i)}k${i}:\n`;
      return `${out}${' '.repeat(depth)}x\n`;
    }
  }
}

/** aliasBomb is `levels` levels of anchors, each holding `fanOut` aliases of the one before. */
export function aliasBomb(levels: number, fanOut: number, prefix = ''): string {
  const lines = [`${prefix}l0: &l0 [${Array(fanOut).fill('"lol"').join(', ')}]`];
  for (let i = 1; i < levels; i++) lines.push(`l${i}: &l${i} [${Array(fanOut).fill(`*l${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

/** aliasChain is a chain of anchors, each aliasing the previous one once, and a merge-key fan. */
export function aliasChain(length: number): string {
  const lines = ['a0: &a0 {k: v}'];
  for (let i = 1; i < length; i++) lines.push(`a${i}: &a${i} {<<: *a${i - 1}, k${i}: v}`);
  return lines.join('\n') + '\n';
}

const validYaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\ndata:\n  key: "value é"\n';

/** rawContent is the bytes of one file: broken in one of many ways. */
export const rawContent: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 256 }),
  fc.tuple(fc.constantFrom(...invalidUtf8), fc.nat(validYaml.length)).map(([bad, at]) => {
    const bytes = encoder.encode(validYaml);
    return concat(bytes.subarray(0, at), bad, bytes.subarray(at));
  }),
  fc.tuple(fc.constantFrom(...boms), fc.boolean()).map(([bom, utf16]) => concat(bom, utf16 ? new Uint8Array(Buffer.from(validYaml, 'utf16le')) : encoder.encode(validYaml))),
  fc.constantFrom('crlf', 'cr', 'nul', 'nel', 'tab-indent', 'no-final-newline').map((how) => {
    const text =
      how === 'crlf' ? validYaml.replace(/\n/g, '\r\n')
      : how === 'cr' ? validYaml.replace(/\n/g, '\r')
      : how === 'nul' ? validYaml.replace('raw', 'r\u0000aw')
      : how === 'nel' ? validYaml.replace(/\n/g, '\u0085')
      : how === 'tab-indent' ? validYaml.replace(/ {2}/g, '\t')
      : validYaml.trimEnd();
    return encoder.encode(text);
  }),
  fc.tuple(fc.integer({ min: 50, max: 3000 }), fc.constantFrom('flow-seq', 'flow-map', 'block-seq', 'block-map') as fc.Arbitrary<'flow-seq' | 'flow-map' | 'block-seq' | 'block-map'>).map(([depth, style]) =>
    encoder.encode(deepNesting(style === 'block-map' ? Math.min(depth, 400) : depth, style, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  nested: ')),
  ),
  fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 10 })).map(([levels, fanOut]) => encoder.encode(aliasBomb(levels, fanOut))),
  fc.integer({ min: 10, max: 400 }).map((n) => encoder.encode(aliasChain(n))),
  fc.constantFrom('a: &a [*a]\n', 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: raw\n  labels: *m\n', 'a: &a\n  <<: *a\n', '*a\n', 'a: *b\nb: &b 1\n', '&a a: 1\n', '<<: *nope\n', 'a: !!binary "%%%"\n', 'a: !!int "x"\n', '? [a, b]\n: c\n', '--- !!set\n? a\n', 'a: 2024-03-01\n2024-03-01: a\n').map((t) => encoder.encode(t)),
);

/** EntryPoint is the file of a tree that a raw content replaces. */
export type EntryPoint = 'kustomization' | 'resource' | 'patch' | 'inline-patch' | 'fleet' | 'cluster' | 'values';

/** entryPoint is one of the files every render reads. */
export const entryPoint = fc.constantFrom<EntryPoint>('kustomization', 'resource', 'patch', 'inline-patch', 'fleet', 'cluster', 'values');

/** kustomizeBase is a small valid build with a patch file: raw contents replace one of its files. */
export function kustomizeBase(): Tree {
  return {
    dir: '/repo/app',
    root: '/repo',
    files: {
      '/repo/app/kustomization.yaml': 'resources:\n- cm.yaml\npatches:\n- path: patch.yaml\n',
      '/repo/app/cm.yaml': validYaml,
      '/repo/app/patch.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raw\ndata:\n  patched: "yes"\n',
    },
  };
}

/** fleetBase is the example fleet in memory: raw contents replace its fleet file or a record. */
export function fleetBase(): Tree {
  const files: Tree['files'] = {};
  for (const [path, text] of Object.entries(exampleFiles)) files[`${fleetRoot}/${path}`] = text;
  return { files, dir: fleetRoot, root: fleetRoot };
}

/** inlinePatch is a kustomization whose inline patch is the raw text (as a YAML block scalar when it decodes). */
export function inlinePatchKustomization(content: Uint8Array): string | Uint8Array {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    return concat(encoder.encode('resources:\n- cm.yaml\npatches:\n- patch: |\n    '), content, encoder.encode('\n'));
  }
  return `resources:\n- cm.yaml\npatches:\n- patch: ${JSON.stringify(text)}\n`;
}
