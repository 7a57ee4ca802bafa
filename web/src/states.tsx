// Every state word of SPEC §6 and §7 with its tone (colour) and icon, so that no state is told by
// colour alone: each badge shows an icon and the word, and the grid's cells carry the word in
// their accessible name.
import type { ReactNode } from 'react';

/** Tone is a state's colour family (see styles.css `.tone-*`). */
export type Tone = 'ok' | 'info' | 'warn' | 'drift' | 'blocked' | 'bad' | 'muted';

/** IconName names the small line icons. */
export type IconName = 'check' | 'x' | 'spin' | 'delta' | 'ban' | 'unplug' | 'arrow-up' | 'clock' | 'pause' | 'dot' | 'question' | 'undo' | 'hand' | 'stop' | 'heart' | 'alert' | 'pull';

interface StateInfo {
  tone: Tone;
  icon: IconName;
  /** Words for people, when the state's name is a compound. */
  label?: string;
  /** What it means, for titles. */
  help: string;
}

/** syncInfo describes each sync state (SPEC §6). */
export const syncInfo: Record<string, StateInfo> = {
  Synced: { tone: 'ok', icon: 'check', help: 'the desired revision is applied and nothing has drifted' },
  OutOfSync: { tone: 'warn', icon: 'arrow-up', label: 'Out of sync', help: 'the desired revision is not applied yet' },
  Progressing: { tone: 'info', icon: 'spin', help: 'applied, waiting for the objects to become healthy' },
  Drifted: { tone: 'drift', icon: 'delta', help: 'a live object differs from the desired one' },
  Blocked: { tone: 'blocked', icon: 'ban', help: 'a guard blocked this target; nothing was written' },
  Failed: { tone: 'bad', icon: 'x', help: 'the render, apply, prune or wait failed' },
  Unreachable: { tone: 'muted', icon: 'unplug', help: 'the cluster did not answer' },
};

/** syncOrder is the order states are listed and counted in: the ones that need a person first. */
export const syncOrder = ['Failed', 'Blocked', 'Unreachable', 'Drifted', 'OutOfSync', 'Progressing', 'Synced'] as const;

/** healthInfo describes each health state (SPEC §6). */
export const healthInfo: Record<string, StateInfo> = {
  Healthy: { tone: 'ok', icon: 'heart', help: 'every object is healthy' },
  Progressing: { tone: 'info', icon: 'spin', help: 'objects are still becoming healthy' },
  Degraded: { tone: 'bad', icon: 'alert', help: 'an object is unhealthy' },
  Unknown: { tone: 'muted', icon: 'question', help: 'health is not known yet' },
};

/** rolloutTargetInfo describes a target's place in a rollout (SPEC §7). */
export const rolloutTargetInfo: Record<string, StateInfo> = {
  Pending: { tone: 'muted', icon: 'clock', help: 'still at its old revision' },
  Updating: { tone: 'info', icon: 'spin', help: 'told to sync the new revision' },
  Healthy: { tone: 'ok', icon: 'check', help: 'synced and healthy at the new revision' },
  Failed: { tone: 'bad', icon: 'x', help: 'failed at the new revision' },
  RolledBack: { tone: 'blocked', icon: 'undo', label: 'Rolled back', help: 'failed and sent back to its last healthy revision' },
};

/** wavePhaseInfo describes a wave's phase. */
export const wavePhaseInfo: Record<string, StateInfo> = {
  Pending: { tone: 'muted', icon: 'clock', help: 'waits for the wave before it' },
  WaitingApproval: { tone: 'warn', icon: 'hand', label: 'Waiting for approval', help: 'an operator must approve this wave' },
  Progressing: { tone: 'info', icon: 'spin', help: 'its targets are being updated' },
  Soaking: { tone: 'info', icon: 'clock', help: 'every target is healthy; waiting out the soak time' },
  Complete: { tone: 'ok', icon: 'check', help: 'every target is healthy at the new revision' },
};

/** rolloutPhaseInfo describes a whole rollout's phase. */
export const rolloutPhaseInfo: Record<string, StateInfo> = {
  Progressing: { tone: 'info', icon: 'spin', help: 'waves are moving' },
  WaitingApproval: { tone: 'warn', icon: 'hand', label: 'Waiting for approval', help: 'a wave waits for an operator' },
  Paused: { tone: 'warn', icon: 'pause', help: 'paused by an operator' },
  Halted: { tone: 'bad', icon: 'stop', help: 'a target failed; the rollout stopped' },
  Completed: { tone: 'ok', icon: 'check', help: 'every wave is complete' },
  Aborted: { tone: 'muted', icon: 'x', help: 'aborted by an operator' },
};

/** outcomeInfo describes an audit record's outcome. */
export const outcomeInfo: Record<string, StateInfo> = {
  succeeded: { tone: 'ok', icon: 'check', label: 'Succeeded', help: 'the write was done' },
  failed: { tone: 'bad', icon: 'x', label: 'Failed', help: 'allowed, but it did not succeed' },
  denied: { tone: 'blocked', icon: 'ban', label: 'Denied', help: 'no token, an unknown token or a role too low' },
};

const unknownState: StateInfo = { tone: 'muted', icon: 'question', help: '' };

const paths: Record<IconName, ReactNode> = {
  check: <path d="M4 12.5l5 5L20 6.5" />,
  x: <path d="M6 6l12 12M18 6L6 18" />,
  spin: (
    <>
      <path d="M20 12a8 8 0 1 1-2.34-5.66" />
      <path d="M20 4v5h-5" />
    </>
  ),
  delta: <path d="M12 4L21 20H3z" />,
  ban: (
    <>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M6 6l12 12" />
    </>
  ),
  unplug: (
    <>
      <path d="M7 17l-3 3M17 7l3-3" />
      <path d="M9.5 11.5L7 14a3 3 0 0 0 3 3l2.5-2.5M14.5 12.5L17 10a3 3 0 0 0-3-3l-2.5 2.5" />
    </>
  ),
  'arrow-up': <path d="M12 20V5M5.5 11.5L12 5l6.5 6.5" />,
  clock: (
    <>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M12 7v5l3.5 2" />
    </>
  ),
  pause: <path d="M9 5v14M15 5v14" />,
  dot: <circle cx="12" cy="12" r="4" fill="currentColor" />,
  question: (
    <>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.7.3-1 .8-1 1.5v.7M12 16.8v.2" />
    </>
  ),
  undo: <path d="M9 14L4 9l5-5M4 9h10a5.5 5.5 0 0 1 0 11h-3" />,
  hand: <path d="M8 12V6.5a1.5 1.5 0 0 1 3 0V11M11 10V5a1.5 1.5 0 0 1 3 0v6M14 10V6.5a1.5 1.5 0 0 1 3 0V14a6 6 0 0 1-6 6h-1a5 5 0 0 1-4.3-2.5L4.5 14a1.5 1.5 0 0 1 2.5-1.6L8 14" />,
  stop: <rect x="6" y="6" width="12" height="12" rx="1.5" />,
  heart: <path d="M12 19s-7-4.4-7-9.5A3.9 3.9 0 0 1 12 7.4 3.9 3.9 0 0 1 19 9.5C19 14.6 12 19 12 19z" />,
  alert: (
    <>
      <circle cx="12" cy="12" r="8.5" />
      <path d="M12 7.5v5.5M12 16.3v.2" />
    </>
  ),
  // An arrow down into a tray: the cluster's agent fetches and applies.
  pull: <path d="M12 4v10M7.5 9.5L12 14l4.5-4.5M5 15v4h14v-4" />,
};

/** Icon draws a small line icon; it is decorative, the text beside it says the same. */
export function Icon({ name, className }: { name: IconName; className?: string }) {
  return (
    <svg className={`icon${className ? ` ${className}` : ''}`} viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2.2" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      {paths[name]}
    </svg>
  );
}

/** stateOf looks a state up in a table, with a neutral fallback for words the UI does not know yet. */
export function stateOf(table: Record<string, StateInfo>, state: string): StateInfo & { label: string } {
  const info = table[state] ?? unknownState;
  return { ...info, label: info.label ?? state };
}

/** Badge shows a state as icon and word in its tone. */
export function Badge({ table, state, prefix, compact }: { table: Record<string, StateInfo>; state: string; prefix?: string; compact?: boolean }) {
  const info = stateOf(table, state);
  return (
    <span className={`badge tone-${info.tone}${compact ? ' badge-compact' : ''}`} title={info.help ? `${info.label}: ${info.help}` : info.label}>
      <Icon name={info.icon} />
      <span>
        {prefix ? <span className="visually-hidden">{prefix} </span> : null}
        {info.label}
      </span>
    </span>
  );
}

/** pullModeHelp says what pull mode means, for titles. */
export const pullModeHelp = 'pull mode: an agent applies, the hub observes';

/** PullBadge marks a cluster in pull mode with an icon and the word, never by colour alone. */
export function PullBadge() {
  return (
    <span className="badge badge-compact badge-mode" title={pullModeHelp} data-mode="pull">
      <Icon name="pull" />
      <span>
        pull<span className="visually-hidden"> mode</span>
      </span>
    </span>
  );
}
