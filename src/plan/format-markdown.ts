import { fieldDiffLines } from './field-lines.js';
import { summaryLine } from './plan.js';
import type { ObjectChange, Plan, TargetPlan } from './types.js';

/** MarkdownOptions tune formatPlanMarkdown. */
export interface MarkdownOptions {
  /**
   * The longest comment to produce, in characters; details that do not fit are left out with a
   * note. @default 60000 (GitHub refuses comments over 65536 characters)
   */
  maxLength?: number;
  /** How many cluster names a group heading lists before `and N more`. @default 12 */
  maxNames?: number;
}

const actionSign = { add: '+', change: '~', remove: '-' } as const;
const actionWord = { add: 'add', change: 'change', remove: 'remove' } as const;

/**
 * formatPlanMarkdown prints a plan as a pull-request comment: the summary line first, then one
 * section per cluster with a table of its releases and a collapsible block per object holding its
 * field diffs. Clusters whose plans are identical (a base change reaching every production
 * cluster alike) share one section, so a 500-cluster fleet still gives a comment a reviewer can read
 * and GitHub accepts.
 */
export function formatPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? 60000;
  const maxNames = options.maxNames ?? 12;
  const head: string[] = [
    '### Flotilla plan',
    '',
    `**${summaryLine(plan)}**`,
    '',
    `Base \`${code(plan.base)}\` → head \`${code(plan.head)}\`.`,
    '',
  ];
  const groups = groupClusters(plan.targets);
  const sections = groups.map((group) => clusterSection(group, maxNames));
  const failures = failureSection(plan);
  const tail = failures.length > 0 ? failures : [];
  if (plan.targets.length === 0 && plan.failures.length === 0) head.push('No changes: the desired state of every target is the same at both revisions.', '');

  // Sections go in whole while they fit; a section too long for what is left keeps its table and
  // loses its details; once not even a table fits, the rest is only counted.
  let text = head.join('\n');
  const reserve = tail.join('\n').length + 400;
  let trimmed = 0;
  let left = 0;
  for (const section of sections) {
    const whole = [...section.table, ...section.details].join('\n');
    const table = section.table.join('\n');
    if (left > 0) left++;
    else if (text.length + whole.length + reserve <= maxLength) text += '\n' + whole;
    else if (text.length + table.length + reserve <= maxLength) {
      text += '\n' + table;
      if (section.details.length > 0) trimmed++;
    } else left++;
  }
  if (trimmed > 0 || left > 0) {
    const what = [trimmed > 0 ? `the object details of ${trimmed} ${trimmed === 1 ? 'section' : 'sections'}` : '', left > 0 ? `${left} more ${left === 1 ? 'section' : 'sections'}` : ''].filter(Boolean).join(' and ');
    text += `\n> Left out to keep this comment under GitHub's size limit: ${what}. Run \`flotilla plan\` to see everything.\n`;
  }
  if (tail.length > 0) text += '\n' + tail.join('\n');
  return text.trimEnd() + '\n';
}

interface ClusterGroup {
  clusters: string[];
  targets: TargetPlan[];
}

// Clusters are grouped by everything but their name: the same releases, selections, changes and
// verdicts. The fingerprint is the JSON of that, which is exact (no hashing, no false sharing).
function groupClusters(targets: TargetPlan[]): ClusterGroup[] {
  const byCluster = new Map<string, TargetPlan[]>();
  for (const t of targets) {
    const list = byCluster.get(t.cluster) ?? [];
    list.push(t);
    byCluster.set(t.cluster, list);
  }
  const groups = new Map<string, ClusterGroup>();
  for (const [cluster, list] of byCluster) {
    const print = JSON.stringify(list.map((t) => [t.release, t.selection, t.changes, t.guards]));
    const group = groups.get(print);
    if (group) group.clusters.push(cluster);
    else groups.set(print, { clusters: [cluster], targets: list });
  }
  return [...groups.values()];
}

function clusterSection(group: ClusterGroup, maxNames: number): { table: string[]; details: string[] } {
  const names = group.clusters.slice(0, maxNames).map((c) => `\`${code(c)}\``);
  const more = group.clusters.length - maxNames;
  const title = group.clusters.length === 1 ? names[0] : `${names.join(', ')}${more > 0 ? ` and ${more} more` : ''} (${group.clusters.length} clusters, same plan)`;
  const out = [`#### ${title}`, '', '| release | selection | add | change | remove | guards |', '|---|---|---:|---:|---:|---|'];
  for (const t of group.targets) {
    const count = (a: ObjectChange['action']) => t.changes.filter((c) => c.action === a).length;
    const guards = t.guards.length > 0 ? `⛔ ${t.guards.map((g) => cell(g.guard)).join(', ')}` : '';
    out.push(`| ${cell(t.release)} | ${t.selection} | ${count('add')} | ${count('change')} | ${count('remove')} | ${guards} |`);
  }
  out.push('');
  for (const t of group.targets) {
    for (const verdict of t.guards) {
      const object = verdict.object && !verdict.message.includes(verdict.object) ? ` (\`${code(verdict.object)}\`)` : '';
      out.push(`> ⛔ **${escapeText(t.release)}** blocked by guard **${escapeText(verdict.guard)}**${object}: ${escapeText(verdict.message)}`, '');
    }
  }
  const details = group.targets.flatMap((t) => t.changes.flatMap((change) => objectDetails(t.release, change)));
  return { table: out, details };
}

function objectDetails(release: string, change: ObjectChange): string[] {
  const lines: string[] = [];
  for (const field of change.fields) {
    const diff = fieldDiffLines(field);
    const only = diff.length === 1 ? diff[0]! : undefined;
    // One-line values of added and removed objects read best as `+ /path: value`.
    if (only && change.action !== 'change') lines.push(`${only.sign === ' ' ? actionSign[field.action] : only.sign} ${field.path}: ${only.text}`);
    else {
      lines.push(`@@ ${field.path} @@`);
      for (const line of diff) lines.push(`${line.sign} ${line.text}`);
    }
  }
  const fence = fenceFor(lines.join('\n'));
  return [
    '<details>',
    `<summary><code>${actionSign[change.action]} ${escapeHtml(change.object)}</code> · ${escapeHtml(release)} · ${actionWord[change.action]}, ${change.fields.length} ${change.fields.length === 1 ? 'field' : 'fields'}</summary>`,
    '',
    `${fence}diff`,
    ...lines,
    fence,
    '',
    '</details>',
    '',
  ];
}

function failureSection(plan: Plan): string[] {
  if (plan.failures.length === 0) return [];
  const out = ['#### ❌ Failed to render (not planned)', ''];
  for (const f of plan.failures) {
    for (const issue of f.issues) {
      const rev = f.revision === 'base' ? plan.base : plan.head;
      out.push(`- \`${code(f.cluster)}\`${f.release ? ` · \`${code(f.release)}\`` : ''} at ${f.revision} \`${code(rev)}\`: **${issue.code}** ${escapeText(issue.message)}`);
    }
  }
  out.push('');
  return out;
}

// A fence longer than any run of backticks in the content, so a value cannot close the block.
function fenceFor(content: string): string {
  const longest = Math.max(2, ...[...content.matchAll(/`+/g)].map((m) => m[0].length));
  return '`'.repeat(longest + 1);
}

function cell(text: string): string {
  return escapeText(text).replace(/\|/g, '\\|');
}

function code(text: string): string {
  return text.replace(/`/g, "'");
}

function escapeText(text: string): string {
  return escapeHtml(text).replace(/([\\*_[\]`])/g, '\\$1').replace(/\n/g, ' ');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
