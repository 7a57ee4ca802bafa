import type { Command } from 'commander';
import { errorCodes, FlotillaError, type ErrorCode } from '../../core/index.js';
import type { RolloutState } from '../../rollout/index.js';
import type { CliContext } from '../context.js';

// `flotilla rollout …`: a client of the hub's rollout routes (SPEC §9). Reading needs a viewer
// token, the commands an operator token; the hub records every command in its audit log.

interface RolloutCommandOptions {
  hub?: string;
  token?: string;
  wave?: string;
}

type Action = 'approve' | 'pause' | 'resume' | 'abort';

const actions: { action: Action; description: string }[] = [
  { action: 'approve', description: "Approve the wave that waits for approval (approval: manual), so it starts" },
  { action: 'pause', description: 'Pause a rollout: no new target syncs and no wave starts until resume' },
  { action: 'resume', description: 'Resume a paused rollout; on a halted one, sync its failed targets again' },
  { action: 'abort', description: 'End a rollout where it stands: every target keeps the revision it is pinned to' },
];

/**
 * registerRollout adds `flotilla rollout status|approve|pause|resume|abort [RELEASE]`, which talk
 * to the hub named by --hub with the token from --token or FLOTILLA_TOKEN.
 */
export function registerRollout(program: Command, ctx: CliContext): void {
  const rollout = program.command('rollout').description('Show and control rollouts on a hub: status, approve, pause, resume, abort');
  const withHub = (command: Command) =>
    command.option('--hub <url>', 'the hub (default: $FLOTILLA_HUB)').option('--token <token>', 'the hub token (default: $FLOTILLA_TOKEN)');

  withHub(rollout.command('status').argument('[release]', 'one release (default: every rollout)').description('Show every rollout, or one release\'s waves and targets'))
    .action(async (release: string | undefined, opts: RolloutCommandOptions) => {
      const hub = hubOf(opts);
      if (release === undefined) {
        const body = (await call(hub, 'GET', '/api/v1/rollouts', opts)) as { rollouts?: RolloutState[] };
        const rollouts = body.rollouts ?? [];
        if (ctx.format() === 'json') ctx.stdout.write(JSON.stringify({ rollouts }, null, 2) + '\n');
        else printRollouts(ctx, rollouts);
        return;
      }
      const body = (await call(hub, 'GET', `/api/v1/rollouts/${encodeURIComponent(release)}`, opts, release)) as { rollout: RolloutState };
      if (ctx.format() === 'json') ctx.stdout.write(JSON.stringify({ rollout: body.rollout }, null, 2) + '\n');
      else printRollout(ctx, body.rollout);
    });

  for (const { action, description } of actions) {
    const command = withHub(rollout.command(action).argument('<release>', 'the release whose rollout to control').description(description));
    if (action === 'approve') command.option('--wave <name>', 'approve only if this is the wave waiting');
    command.action(async (release: string, opts: RolloutCommandOptions) => {
      const body = action === 'approve' && opts.wave ? { wave: opts.wave } : {};
      const answer = (await call(hubOf(opts), 'POST', `/api/v1/rollouts/${encodeURIComponent(release)}/${action}`, opts, release, body)) as { rollout: RolloutState };
      if (ctx.format() === 'json') ctx.stdout.write(JSON.stringify({ rollout: answer.rollout }, null, 2) + '\n');
      else ctx.stdout.write(`${action}: ${summary(answer.rollout)}\n`);
    });
  }
}

function hubOf(opts: RolloutCommandOptions): URL {
  const hub = opts.hub ?? process.env.FLOTILLA_HUB;
  if (!hub) throw new FlotillaError('USAGE', 'flotilla rollout needs the hub: give --hub URL (or set FLOTILLA_HUB)', { hint: '`flotilla serve` prints the URL it listens on: listening on http://HOST:PORT.' });
  try {
    return new URL(hub);
  } catch {
    throw new FlotillaError('USAGE', `--hub ${hub} is not a URL`, { hint: 'Give the hub as http://HOST:PORT.' });
  }
}

/** call sends one request to the hub and answers its JSON, or throws the hub's refusal as a FlotillaError. */
async function call(hub: URL, method: 'GET' | 'POST', path: string, opts: RolloutCommandOptions, release?: string, body?: unknown): Promise<unknown> {
  const url = new URL(path, hub);
  const token = opts.token ?? process.env.FLOTILLA_TOKEN;
  let answer: Response;
  try {
    answer = await fetch(url, {
      method,
      headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new FlotillaError('HUB_UNREACHABLE', `hub ${url.origin}: no answer to ${method} ${url.pathname}: ${cause?.message ?? cause?.code ?? (error as Error).message}`, { cause: error });
  }
  const text = await answer.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  if (answer.ok && json !== undefined) return json;
  const problem = (json as { error?: { code?: string; message?: string; hint?: string } } | undefined)?.error;
  const said = problem?.message ?? (text.slice(0, 200) || answer.statusText);
  const where = `hub ${url.origin}: ${method} ${url.pathname}`;
  switch (answer.status) {
    case 401:
      throw new FlotillaError('API_UNAUTHORIZED', `${where}: ${token ? 'the hub does not know this token' : 'no token was given'} (401)`, { hint: 'Give a token from the hub\'s tokens file with --token or FLOTILLA_TOKEN.' });
    case 403:
      throw new FlotillaError('API_FORBIDDEN', `${where}: the token's role may not do this (403): ${said}`, { hint: method === 'POST' ? 'approve, pause, resume and abort need an operator or admin token.' : 'Reading rollouts needs a viewer token or higher.' });
    case 404:
      throw new FlotillaError('API_NOT_FOUND', release !== undefined ? `${where}: release ${release} has no rollout on this hub` : `${where}: not found (404): ${said}`, { hint: '`flotilla rollout status --hub URL` lists the releases that have a rollout.' });
  }
  const code = problem?.code && problem.code in errorCodes ? (problem.code as ErrorCode) : undefined;
  if (code === 'ROLLOUT_COMMAND_IGNORED') throw new FlotillaError(code, `${where}: ${said}`, problem?.hint ? { hint: problem.hint } : {});
  throw new FlotillaError('HUB_REQUEST_FAILED', `${where}: answered ${answer.status}${code ? ` ${code}` : ''}: ${said}`, problem?.hint ? { hint: problem.hint } : {});
}

function age(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

function currentWave(state: RolloutState): string {
  const wave = state.waves[state.currentWave];
  return wave ? `${wave.name} (${wave.phase})` : '-';
}

function progress(state: RolloutState): string {
  const targets = Object.values(state.targets);
  return `${targets.filter((t) => t.status === 'Healthy').length}/${targets.length}`;
}

/** summary is one line about a rollout: where it stands and why it waits. */
function summary(state: RolloutState): string {
  const why = state.phase === 'WaitingApproval' ? `; approve with: flotilla rollout approve ${state.release}` : state.phase === 'Halted' && state.haltReason ? `: ${state.haltReason}` : '';
  return `rollout of ${state.release} at ${state.revision} is ${state.phase}${state.paused && state.phase !== 'Paused' ? ' (paused)' : ''}, wave ${currentWave(state)}, ${progress(state)} targets healthy${why}`;
}

function table(ctx: CliContext, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === header.length - 1 ? 0 : r[i]!.length))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  ctx.stdout.write(line(header) + '\n');
  for (const r of rows) ctx.stdout.write(line(r) + '\n');
}

function printRollouts(ctx: CliContext, rollouts: readonly RolloutState[]): void {
  if (rollouts.length === 0) {
    ctx.stdout.write('no rollouts: no release has changed since the hub started\n');
    return;
  }
  table(
    ctx,
    ['RELEASE', 'REVISION', 'PHASE', 'WAVE', 'HEALTHY', 'STARTED'],
    rollouts.map((r) => [r.release, r.revision.slice(0, 12), r.phase + (r.paused && r.phase !== 'Paused' ? ' (paused)' : ''), currentWave(r), progress(r), `${age(r.startedAt)} ago`]),
  );
}

function printRollout(ctx: CliContext, state: RolloutState): void {
  ctx.stdout.write(summary(state) + '\n\n');
  table(
    ctx,
    ['WAVE', 'PHASE', 'MAX PARALLEL', 'SOAK', 'APPROVAL', 'CLUSTERS'],
    state.waves.map((w) => [w.name, w.phase, String(w.maxParallel), w.soak ? `${w.soak / 1000}s` : '-', w.approval ? (w.approved ? 'approved' : 'manual') : '-', w.clusters.join(', ') || '-']),
  );
  ctx.stdout.write('\n');
  const targets = Object.values(state.targets).sort((a, b) => a.wave - b.wave || (a.cluster < b.cluster ? -1 : 1));
  table(
    ctx,
    ['CLUSTER', 'WAVE', 'STATUS', 'PINNED', 'LAST HEALTHY', 'FAILURE'],
    targets.map((t) => [t.cluster, state.waves[t.wave]?.name ?? '-', t.status, t.pinned?.slice(0, 12) ?? '-', t.lastHealthy?.slice(0, 12) ?? '-', t.failure ?? '']),
  );
}
