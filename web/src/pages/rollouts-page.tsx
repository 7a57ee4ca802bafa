// Rollouts (SPEC §7): each release's waves as a pipeline with every cluster's place in it, the soak
// countdown, and approve / pause / resume / abort for operators. Viewers see the same pipeline
// without the controls (the hub refuses their writes anyway).
import { useEffect, useId, useState } from 'react';
import type { RolloutState, WaveState } from '../api.js';
import { useSession } from '../app.js';
import { ago, clockTime, duration, shortRevision } from '../format.js';
import { useHub } from '../hub-store.js';
import { href, useTitle } from '../route.js';
import { Badge, Icon, rolloutPhaseInfo, rolloutTargetInfo, wavePhaseInfo } from '../states.js';

const finalPhases = new Set(['Completed', 'Aborted']);

/** useNow ticks once a second while `on`, for countdowns. */
function useNow(on: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

function Wave({ rollout, wave, index, hubNow }: { rollout: RolloutState; wave: WaveState; index: number; hubNow: number }) {
  const current = index === rollout.currentWave && !finalPhases.has(rollout.phase);
  // Clamped: the hub's clock is only known to about a second (the Date header), and a countdown
  // must never show more than the soak itself.
  const soakLeft = wave.phase === 'Soaking' && wave.healthySince !== undefined ? Math.min(wave.soak, Math.max(0, wave.healthySince + wave.soak - hubNow)) : undefined;
  const done = wave.clusters.filter((c) => rollout.targets[c]?.status === 'Healthy').length;
  return (
    <li className={`wave${current ? ' wave-current' : ''} wave-${wave.phase.toLowerCase()}`} aria-current={current ? 'step' : undefined} data-wave={wave.name}>
      <div className="wave-head">
        <span className="wave-index" aria-hidden="true">
          {index + 1}
        </span>
        <h3>
          <span className="visually-hidden">Wave {index + 1}: </span>
          {wave.name}
        </h3>
        <Badge table={wavePhaseInfo} state={wave.phase} compact />
      </div>
      <p className="wave-facts muted small">
        {done}/{wave.clusters.length} healthy · {wave.maxParallel} at a time
        {wave.soak ? <> · soak {duration(wave.soak)}</> : null}
        {wave.approval ? <> · manual approval{wave.approved ? ' (approved)' : ''}</> : null}
      </p>
      {soakLeft !== undefined ? (
        <p className="soak" role="timer" aria-live="off">
          <Icon name="clock" /> Soak ends in <strong>{duration(soakLeft)}</strong>
          <progress max={wave.soak} value={Math.max(0, wave.soak - soakLeft)} aria-label={`Soak of wave ${wave.name}`} />
        </p>
      ) : null}
      {wave.phase === 'WaitingApproval' ? (
        <p className="wave-wait">
          <Icon name="hand" /> Waiting for an operator to approve.
        </p>
      ) : null}
      <ul className="wave-clusters">
        {wave.clusters.map((c) => {
          const t = rollout.targets[c];
          return (
            <li key={c} data-cluster={c}>
              <a href={href(['clusters', c], { release: rollout.release })}>{c}</a>
              <Badge table={rolloutTargetInfo} state={t?.status ?? 'Pending'} compact />
              {t?.pinned ? (
                <code className="small muted" title={`pinned to ${t.pinned}`}>
                  {shortRevision(t.pinned)}
                </code>
              ) : null}
              {t?.failure ? <span className="wave-failure">{t.failure}</span> : null}
            </li>
          );
        })}
      </ul>
    </li>
  );
}

function Rollout({ rollout, single }: { rollout: RolloutState; single: boolean }) {
  const { client, store, canOperate } = useSession();
  const id = useId();
  const soaking = rollout.waves.some((w) => w.phase === 'Soaking');
  const now = useNow(soaking);
  const hubNow = now + client.clockOffset();
  const [busy, setBusy] = useState<string | undefined>();
  const [result, setResult] = useState<{ tone: string; text: string } | undefined>();
  const final = finalPhases.has(rollout.phase);
  const waiting = rollout.waves.find((w) => w.phase === 'WaitingApproval');

  const act = async (action: 'approve' | 'pause' | 'resume' | 'abort', body: Record<string, string> = {}) => {
    if (action === 'abort' && !window.confirm(`Abort the rollout of ${rollout.release}? Clusters keep the revision they run now.`)) return;
    setBusy(action);
    try {
      const answer = await client.post<{ rollout: RolloutState }>(`/api/v1/rollouts/${encodeURIComponent(rollout.release)}/${action}`, body);
      store.replaceRollout(answer.rollout);
      const words = { approve: `Approved wave ${body.wave ?? ''}`.trim(), pause: 'Paused', resume: 'Resumed', abort: 'Aborted' }[action];
      setResult({ tone: 'ok', text: `${words}.` });
    } catch (error) {
      setResult({ tone: 'bad', text: `${action} refused: ${(error as Error).message}` });
    } finally {
      setBusy(undefined);
    }
  };

  const Heading = single ? 'h1' : 'h2';
  return (
    <article className="rollout card" aria-labelledby={`${id}-title`} data-release={rollout.release}>
      <div className="rollout-head">
        <div>
          <Heading id={`${id}-title`} tabIndex={single ? -1 : undefined}>
            {single ? rollout.release : <a href={href(['rollouts', rollout.release])}>{rollout.release}</a>}
          </Heading>
          <p className="muted small">
            Revision <code title={rollout.revision}>{shortRevision(rollout.revision)}</code> · started <span title={clockTime(rollout.startedAt)}>{ago(rollout.startedAt, hubNow)}</span> · on failure:{' '}
            {rollout.failurePolicy === 'rollback' ? 'roll back' : 'halt'}
          </p>
        </div>
        <div className="rollout-state">
          <Badge table={rolloutPhaseInfo} state={rollout.phase} />
          {rollout.paused && rollout.phase !== 'Paused' ? <Badge table={rolloutPhaseInfo} state="Paused" /> : null}
        </div>
      </div>
      {rollout.haltReason ? (
        <p className="notice tone-bad">
          <Icon name="stop" /> Halted: {rollout.haltReason}
        </p>
      ) : null}
      {canOperate && !final ? (
        <div className="actions" role="group" aria-label={`Control the rollout of ${rollout.release}`}>
          {waiting ? (
            <button type="button" className="button button-primary" disabled={!!busy} onClick={() => act('approve', { wave: waiting.name })}>
              <Icon name="check" /> Approve wave {waiting.name}
            </button>
          ) : null}
          {rollout.paused ? (
            <button type="button" className="button" disabled={!!busy} onClick={() => act('resume')}>
              <Icon name="spin" /> Resume
            </button>
          ) : (
            <button type="button" className="button" disabled={!!busy} onClick={() => act('pause')}>
              <Icon name="pause" /> Pause
            </button>
          )}
          <button type="button" className="button button-danger" disabled={!!busy} onClick={() => act('abort')}>
            <Icon name="x" /> Abort
          </button>
        </div>
      ) : null}
      {result ? (
        <p className={`notice tone-${result.tone}`} role="status">
          {result.text}
        </p>
      ) : null}
      <ol className="pipeline" aria-label={`Waves of ${rollout.release}`}>
        {rollout.waves.map((w, i) => (
          <Wave key={w.name} rollout={rollout} wave={w} index={i} hubNow={hubNow} />
        ))}
      </ol>
    </article>
  );
}

/** RolloutsPage lists the rollouts, or shows one. */
export function RolloutsPage({ release }: { release?: string }) {
  useTitle(release ? `Rollout ${release}` : 'Rollouts');
  const { store } = useSession();
  const hub = useHub(store);
  if (release) {
    const rollout = hub.rollouts.find((r) => r.release === release);
    return (
      <section className="page">
        <nav aria-label="Breadcrumb" className="crumbs">
          <a href={href(['rollouts'])}>Rollouts</a> <span aria-hidden="true">/</span> <span aria-current="page">{release}</span>
        </nav>
        {rollout ? (
          <Rollout rollout={rollout} single />
        ) : (
          <>
            <h1 tabIndex={-1}>{release}</h1>
            <p className="muted">{hub.loaded ? 'This release has no rollout.' : 'Loading…'}</p>
          </>
        )}
      </section>
    );
  }
  const sorted = [...hub.rollouts].sort((a, b) => Number(finalPhases.has(a.phase)) - Number(finalPhases.has(b.phase)) || b.startedAt - a.startedAt);
  return (
    <section className="page">
      <h1 tabIndex={-1}>Rollouts</h1>
      {!hub.loaded ? (
        <p className="muted" role="status">
          Loading…
        </p>
      ) : sorted.length === 0 ? (
        <div className="empty">
          <p>No rollout is recorded.</p>
          <p className="muted">A rollout starts when a release's rendered output changes and the fleet file has a rollout block.</p>
        </div>
      ) : (
        sorted.map((r) => <Rollout key={r.release} rollout={r} single={false} />)
      )}
    </section>
  );
}
