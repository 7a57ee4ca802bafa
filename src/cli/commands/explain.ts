import type { Command } from 'commander';
import { FlotillaError, type Issue } from '../../core/index.js';
import { renderFleet, selectTargets } from '../../fleet/index.js';
import type { JsonValue } from '../../manifest/index.js';
import { explainObject, findRenderedObject, formatValue, type ExplainRow, type TargetObjects } from '../../plan/index.js';
import { releaseRenderer } from '../../render/index.js';
import { localFs } from '../../source/index.js';
import { createHelmRenderer } from '../../source/helm/index.js';
import type { CliContext } from '../context.js';
import { checkFilter, helmOptionHelp, openLocalFleet } from './render.js';

interface ExplainCommandOptions {
  cluster: string;
  field?: string;
  helm?: string;
}

/** maxValueWidth keeps long values (a config file in a ConfigMap) from pushing the source column off the screen. */
const maxValueWidth = 48;

/**
 * registerExplain adds `flotilla explain --cluster C KIND/[NS/]NAME [--field PATH]`: each field of
 * the object that cluster's releases render, with its value and the file, layer and step that set it.
 */
export function registerExplain(program: Command, ctx: CliContext): void {
  program
    .command('explain')
    .description('Show where each field of a rendered object came from: file, layer (base, overlay, patch, generator, substitution) and step')
    .argument('<object>', 'KIND/NAME or KIND/NAMESPACE/NAME')
    .requiredOption('--cluster <name>', 'the cluster whose desired state holds the object')
    .option('--field <path>', 'only this field (dotted path or JSON pointer) and the provenance of its ancestors')
    .option('--helm <path>', helmOptionHelp)
    .action((ref: string, opts: ExplainCommandOptions, command: Command) => {
      const opened = openLocalFleet(ctx, command);
      if (!opened) return;
      const { fleet, root } = opened;
      checkFilter(fleet, { cluster: opts.cluster });
      const results = renderFleet(fleet, { fs: localFs, root, renderer: releaseRenderer, cache: releaseRenderer.createCache(), targets: selectTargets(fleet, { cluster: opts.cluster }), helm: createHelmRenderer({ helm: opts.helm, traceValues: true }) });
      const rendered: TargetObjects[] = [];
      const failed: { release: string; issues: Issue[] }[] = [];
      for (const { target, result } of results) {
        if (result.ok) rendered.push({ release: target.release.name, objects: result.value.objects });
        else failed.push({ release: target.release.name, issues: result.issues });
      }
      const found = findRenderedObject(rendered, ref, opts.cluster);
      if (!found.ok) {
        const issue = found.issues[0]!;
        // The object may live in a release that did not render: say so, with that release's own error.
        if (failed.length > 0 && issue.code === 'EXPLAIN_OBJECT_NOT_FOUND') {
          const reasons = failed.map((f) => `release ${f.release} failed to render (${f.issues[0]?.code}: ${f.issues[0]?.message})`).join('; ');
          throw new FlotillaError(issue.code, `${issue.message}; ${reasons}`, { cluster: opts.cluster, object: issue.object, hint: 'Fix the render error first: `flotilla render --cluster C` shows it.' });
        }
        throw issue;
      }
      const { release, explained } = found.value;
      const rows = explainObject(explained, { field: opts.field });
      if (!rows.ok) throw rows.issues[0];
      const object = explained.object;
      const name = `${object.kind}/${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
      if (ctx.format() === 'json') {
        ctx.stdout.write(JSON.stringify({ cluster: opts.cluster, release, object: name, apiVersion: object.apiVersion, fields: rows.value.map(rowJson) }, null, 2) + '\n');
        return;
      }
      ctx.stdout.write(`${name} on cluster ${opts.cluster} (release ${release})\n\n${table(rows.value)}`);
    });
}

function rowJson(row: ExplainRow): Record<string, unknown> {
  return {
    path: row.path,
    pointer: row.pointer,
    role: row.role,
    ...(row.role === 'field' ? { value: row.value } : {}),
    file: row.source?.file ?? null,
    layer: row.source?.layer ?? null,
    step: row.source?.step ?? null,
    ...(row.sourcePointer !== undefined && row.sourcePointer !== row.pointer ? { inheritedFrom: row.sourcePointer } : {}),
  };
}

function table(rows: ExplainRow[]): string {
  const cells = rows.map((r) => [r.path || '(object)', r.role === 'ancestor' ? shape(r) : shortValue(r.value!), source(r)]);
  const header = ['FIELD', 'VALUE', 'SET BY'];
  const widths = [0, 1].map((i) => Math.max(header[i]!.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `${c[0]!.padEnd(widths[0]!)}  ${c[1]!.padEnd(widths[1]!)}  ${c[2]}`.trimEnd();
  return [line(header), ...cells.map(line)].join('\n') + '\n';
}

function shape(row: ExplainRow): string {
  return row.pointer === '' ? '(whole object)' : '(whole map or list)';
}

function source(row: ExplainRow): string {
  if (!row.source) return '(unknown)';
  const { file, layer, step } = row.source;
  return `${file}${step ? ` ${step}` : ''} [${layer}]`;
}

function shortValue(value: JsonValue): string {
  let text: string;
  if (typeof value === 'string' && value.includes('\n')) {
    const lines = value.replace(/\n$/, '').split('\n');
    text = `${JSON.stringify(lines[0])}… (${lines.length} lines)`;
  } else {
    text = formatValue(value);
  }
  return text.length > maxValueWidth ? text.slice(0, maxValueWidth - 1) + '…' : text;
}
