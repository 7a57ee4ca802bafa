// docs/commands.md, generated from the command tree the CLI itself runs (createProgram), so the
// reference lists exactly the commands, arguments, options and defaults that exist.
import type { Argument, Command, Option } from 'commander';
import { createProgram } from '../src/cli/program.js';
import { exitCodes } from '../src/cli/exit.js';

// Angle brackets outside code spans would be read as HTML by Markdown renderers and vanish.
function prose(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('')
    .replace(/\|/g, '\\|');
}

function code(text: string): string {
  return `\`${text.replace(/\|/g, '\\|')}\``;
}

function defaultText(value: unknown, description: string | undefined): string {
  if (description) return code(description);
  if (value === undefined || value === false) return '';
  if (Array.isArray(value)) return value.length ? code(value.join(',')) : '';
  return code(String(value));
}

function optionRow(option: Option): string {
  const choices = option.argChoices ? ` (one of: ${option.argChoices.map(code).join(', ')})` : '';
  const required = option.mandatory ? ' **Required.**' : '';
  return `| ${code(option.flags)} | ${defaultText(option.defaultValue, option.defaultValueDescription)} | ${prose(option.description)}${choices}${required} |`;
}

function argumentRow(argument: Argument): string {
  const name = argument.name() + (argument.variadic ? '…' : '');
  return `| ${code(argument.required ? `<${name}>` : `[${name}]`)} | ${argument.required ? 'yes' : 'no'} | ${defaultText(argument.defaultValue, argument.defaultValueDescription)} | ${prose(argument.description)} |`;
}

function path(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function usage(command: Command): string {
  const args = command.registeredArguments.map((a) => {
    const name = a.name() + (a.variadic ? '...' : '');
    return a.required ? `<${name}>` : `[${name}]`;
  });
  const required = command.options.filter((o) => o.mandatory).map((o) => o.flags);
  return [path(command), ...args, ...required, ...(command.options.some((o) => !o.mandatory) ? ['[options]'] : [])].join(' ');
}

function anchor(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

/** leafCommands lists every command that runs something (not the groups), sorted by their full name. */
function leafCommands(program: Command): Command[] {
  const out: Command[] = [];
  const walk = (command: Command) => {
    for (const sub of command.commands) {
      if (sub.commands.length) walk(sub);
      else out.push(sub);
    }
  };
  walk(program);
  return out.sort((a, b) => (path(a) < path(b) ? -1 : 1));
}

function section(command: Command): string[] {
  const lines = [`## ${path(command)}`, '', prose(command.description()), '', '```', usage(command), '```', ''];
  if (command.registeredArguments.length) {
    lines.push('| argument | required | default | what |', '|---|---|---|---|', ...command.registeredArguments.map(argumentRow), '');
  }
  const options = command.options.filter((o) => !o.hidden);
  if (options.length) lines.push('| option | default | what |', '|---|---|---|', ...options.map(optionRow), '');
  return lines;
}

/** commandsMarkdown is the text of docs/commands.md: every command, argument and option, with defaults. */
export function commandsMarkdown(): string {
  const sink = { write: () => true } as unknown as NodeJS.WritableStream;
  const program = createProgram({ stdout: sink, stderr: sink, format: () => 'text', setExitCode: () => undefined });
  const commands = leafCommands(program);
  const globals = program.options.filter((o) => !o.hidden);
  return [
    '# Command reference',
    '',
    'Every `flotilla` command with its arguments, options and defaults. This page is generated from the',
    "CLI's own definitions (`createProgram` in `src/cli/program.ts`) by `npm run docs`, and a test fails",
    'when it is out of step, so it lists exactly what the installed command accepts. `flotilla COMMAND',
    '--help` prints the same. What the commands do in depth: [getting-started.md](getting-started.md),',
    '[fleet.md](fleet.md) (render), [plan.md](plan.md) (plan, explain), [sync.md](sync.md) (sync, diff, status),',
    '[sandbox.md](sandbox.md) (sandbox).',
    '',
    '| command | what it does |',
    '|---|---|',
    ...commands.map((c) => `| [${path(c)}](#${anchor(path(c))}) | ${prose(c.description())} |`),
    '',
    '## Global options',
    '',
    'These go before or after the command name and apply to every command.',
    '',
    '| option | default | what |',
    '|---|---|---|',
    ...globals.map(optionRow),
    '',
    '## Exit status',
    '',
    '| status | meaning |',
    '|---|---|',
    `| ${exitCodes.ok} | success |`,
    `| ${exitCodes.error} | an error (the message and hint are printed; [errors.md](errors.md) lists every code) |`,
    `| ${exitCodes.changes} | changes found (\`plan\` and \`diff\` with \`--detailed-exitcode\`) |`,
    `| ${exitCodes.blocked} | a guard blocked a target (nothing was written to that cluster) |`,
    '',
    'Output is for people by default: results on stdout, summaries and errors on stderr. Progress lines',
    'that redraw in place are written only when stderr is a terminal, so piped or redirected output stays',
    'clean. `--output json` prints one JSON document on stdout for programs, errors included',
    '(`{"error": {...}}`).',
    '',
    ...commands.flatMap(section),
  ].join('\n');
}
