import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { errorsMarkdown } from '../scripts/docs-errors.js';

const root = new URL('..', import.meta.url).pathname;

test('docs/errors.md lists every registered error code (regenerate with npm run docs)', () => {
  assert.equal(readFileSync(`${root}docs/errors.md`, 'utf8'), errorsMarkdown());
});

test('docs/commands.md lists every command, argument and option of the CLI (regenerate with npm run docs)', async () => {
  const { commandsMarkdown } = await import('../scripts/docs-commands.js');
  assert.equal(readFileSync(`${root}docs/commands.md`, 'utf8'), commandsMarkdown());
});

test('docs/fleet-reference.md lists every field of the fleet and cluster schemas (regenerate with npm run docs)', async () => {
  const { fleetReferenceMarkdown } = await import('../scripts/docs-schema-reference.js');
  const text = fleetReferenceMarkdown();
  assert.equal(readFileSync(`${root}docs/fleet-reference.md`, 'utf8'), text);
  for (const field of ['spec.releases[].targets.selector', 'spec.clusterTemplate.path', 'spec.rollout.waves[].maxParallel', 'spec.fingerprint', 'matchExpressions[].operator']) {
    assert.ok(text.includes(`| \`${field}\` |`), field);
  }
});

test('docs/commands.md shows each command with its options and defaults', async () => {
  const { commandsMarkdown } = await import('../scripts/docs-commands.js');
  const text = commandsMarkdown();
  assert.match(text, /^## flotilla bootstrap\n[\s\S]*?```\nflotilla bootstrap <name> --context <context> \[options\]\n```/m);
  assert.match(text, /^\| `--request-timeout <duration>` \| `10s` \| time allowed for reading the fingerprint \|$/m);
  assert.match(text, /^\| `--envs <names>` \| `dev,staging,production` \|/m);
  assert.match(text, /^## flotilla sandbox up$/m);
  assert.match(text, /^\| `-o, --output <format>` \| `text` \|/m);
});

// GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes.
function anchors(markdown: string): Set<string> {
  const out = new Set<string>();
  for (const m of markdown.replace(/```[\s\S]*?```/g, '').matchAll(/^#{1,6} (.+)$/gm)) {
    out.add(m[1]!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
  }
  return out;
}

test('the guides link only to pages and headings that exist', () => {
  const pages = ['README.md', 'docs/getting-started.md', 'docs/concepts.md', 'docs/commands.md', 'docs/fleet-reference.md', ...['multi-cluster-models', 'promotion', 'identity-and-residency', 'drift-and-self-heal', 'topologies', 'migrating'].map((g) => `docs/guides/${g}.md`)];
  for (const page of pages) {
    const text = readFileSync(`${root}${page}`, 'utf8');
    for (const m of text.matchAll(/\]\(([^)#\s]*\.md)?(?:#([^)\s]+))?\)/g)) {
      if (!m[1] && !m[2]) continue;
      const target = m[1] ? new URL(m[1], `file://${root}${page}`).pathname : `${root}${page}`;
      assert.ok(existsSync(target), `${page} links to ${m[1]}, which does not exist`);
      if (m[2]) assert.ok(anchors(readFileSync(target, 'utf8')).has(m[2]), `${page} links to ${m[1] ?? ''}#${m[2]}, which has no such heading`);
    }
  }
});
