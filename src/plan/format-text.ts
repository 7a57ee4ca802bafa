import { fieldDiffLines } from './field-lines.js';
import { summaryLine } from './plan.js';
import type { ObjectChange, Plan, PlanFailure, TargetPlan } from './types.js';

const actionSign = { add: '+', change: '~', remove: '-' } as const;

/**
 * formatPlanText prints a plan for people at a terminal: one block per target with its changed
 * objects and their field diffs (added and removed objects are listed without their fields, which
 * `flotilla render` shows), guard verdicts, render failures, and the summary line last, where the
 * eye lands after a long output.
 */
export function formatPlanText(plan: Plan): string {
  const out: string[] = [`Plan: base ${plan.base} → head ${plan.head}`, ''];
  for (const target of plan.targets) {
    out.push(targetHeading(target));
    for (const change of target.changes) out.push(...objectLines(change));
    for (const verdict of target.guards) {
      // Guards usually name the object in their message; it is added only when they do not.
      const object = verdict.object && !verdict.message.includes(verdict.object) ? ` (${verdict.object})` : '';
      out.push(`  ✗ blocked by guard ${verdict.guard}${object}: ${verdict.message}`);
    }
    out.push('');
  }
  if (plan.failures.length > 0) {
    out.push('Failed to render (not planned):');
    // A target that fails alike at both revisions (a broken base not touched by the change) is said once.
    const seen = new Set<string>();
    for (const failure of plan.failures) {
      const key = (f: PlanFailure) => `${f.cluster}\u0000${f.release ?? ''}\u0000${f.issues.map((i) => `${i.code} ${i.message}`).join('\u0000')}`;
      if (seen.has(key(failure))) continue;
      seen.add(key(failure));
      const both = plan.failures.some((f) => f !== failure && key(f) === key(failure));
      const at = both ? 'at both revisions' : failure.revision === 'base' ? `at base ${plan.base}` : `at head ${plan.head}`;
      const where = `${failure.cluster}${failure.release ? ` · ${failure.release}` : ''} ${at}`;
      for (const issue of failure.issues) {
        out.push(`  ${where}: [${issue.code}] ${issue.message}`);
        if (issue.hint) out.push(`      hint: ${issue.hint}`);
      }
    }
    out.push('');
  }
  if (plan.targets.length === 0 && plan.failures.length === 0) out.push('No changes: the desired state of every target is the same at both revisions.', '');
  out.push(summaryLine(plan));
  return out.join('\n') + '\n';
}

function targetHeading(target: TargetPlan): string {
  const note = target.selection === 'added' ? '  (newly selected)' : target.selection === 'removed' ? '  (deselected: its objects are pruned)' : '';
  return `${target.cluster} · ${target.release}${note}`;
}

function objectLines(change: ObjectChange): string[] {
  const head = `  ${actionSign[change.action]} ${change.object}`;
  if (change.action !== 'change') return [`${head}  (${change.fields.length} ${change.fields.length === 1 ? 'field' : 'fields'})`];
  const out = [head];
  for (const field of change.fields) {
    const lines = fieldDiffLines(field);
    const sign = actionSign[field.action];
    const only = lines.length === 1 ? lines[0]! : undefined;
    if (only) {
      out.push(`      ${sign} ${field.path}: ${only.text}`);
    } else if (lines.length === 2 && lines[0]!.sign === '-' && lines[1]!.sign === '+') {
      out.push(`      ${sign} ${field.path}: ${lines[0]!.text} → ${lines[1]!.text}`);
    } else {
      out.push(`      ${sign} ${field.path}:`);
      for (const line of lines) out.push(`          ${line.sign} ${line.text}`);
    }
  }
  return out;
}
