// The plan: the newest fetched revision against what each cluster runs, as `flotilla plan` prints
// it but readable in a browser: per cluster and release, the objects added, changed (field by
// field) and removed, and the guard verdicts.
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
import { ApiError, type PlanFieldView, type PlanView } from '../api.js';
import { useSession } from '../app.js';
import { ago, jsonValue, shortRevision } from '../format.js';
import { useHub } from '../hub-store.js';
import { href, useTitle } from '../route.js';
import { Badge, Icon, syncInfo } from '../states.js';

const actionWords = { add: { sign: '+', tone: 'ok', word: 'add' }, change: { sign: '~', tone: 'warn', word: 'change' }, remove: { sign: '−', tone: 'bad', word: 'remove' } } as const;

function Field({ field }: { field: PlanFieldView }) {
  const a = actionWords[field.action];
  return (
    <li className={`plan-field plan-${field.action}`}>
      <span className={`plan-sign tone-text-${a.tone}`} aria-label={a.word}>
        {a.sign}
      </span>{' '}
      <code>{field.path}</code>
      {field.masked ? (
        <span className="masked">
          {' '}
          <Icon name="ban" /> Secret value hidden
        </span>
      ) : (
        <>
          {field.action !== 'add' ? (
            <>
              {' '}
              <code className="value value-before">{jsonValue(field.before)}</code>
            </>
          ) : null}
          {field.action === 'change' ? <span aria-label="becomes"> → </span> : null}
          {field.action !== 'remove' ? (
            <>
              {' '}
              <code className="value value-after">{jsonValue(field.after)}</code>
            </>
          ) : null}
        </>
      )}
    </li>
  );
}

function PlanDocument({ plan, held }: { plan: PlanView; held: (cluster: string, release: string) => string | undefined }) {
  const byCluster = useMemo(() => {
    const map = new Map<string, PlanView['targets']>();
    for (const t of plan.targets) map.set(t.cluster, [...(map.get(t.cluster) ?? []), t]);
    return [...map.entries()];
  }, [plan]);
  const s = plan.summary;
  return (
    <>
      <p className="plan-summary">
        <strong>
          {s.objects} object{s.objects === 1 ? '' : 's'} change in {s.clusters} cluster{s.clusters === 1 ? '' : 's'}
        </strong>
        {s.blocked ? <> · {s.blocked} blocked by a guard</> : null}
        {s.errors ? <> · {s.errors} could not be planned</> : null}
        {plan.base || plan.head ? (
          <span className="muted">
            {' '}
            ({!plan.base || plan.base === 'running' ? 'what runs' : <code>{shortRevision(plan.base)}</code>} → <code>{shortRevision(plan.head)}</code>)
          </span>
        ) : null}
      </p>
      {(plan.errors ?? []).length ? (
        <ul className="plan-errors">
          {plan.errors!.map((e, i) => (
            <li key={i} className="notice tone-bad">
              <Icon name="x" /> {e.cluster}
              {e.release ? `/${e.release}` : ''}: {e.code} {e.message}
            </li>
          ))}
        </ul>
      ) : null}
      {byCluster.length === 0 ? (
        <p className="muted">
          <Icon name="check" /> Every cluster runs the newest revision.
        </p>
      ) : (
        byCluster.map(([cluster, targets]) => (
          <details key={cluster} className="plan-cluster card" open={byCluster.length <= 6}>
            <summary>
              <span className="plan-cluster-name">{cluster}</span>{' '}
              <span className="muted small">
                {(() => {
                  const n = targets.reduce((sum, t) => sum + t.changes.length, 0);
                  return `${n} object${n === 1 ? '' : 's'}`;
                })()}{' '}
                · {targets.map((t) => t.release).join(', ')}
              </span>
            </summary>
            {targets.map((t) => (
              <section key={t.release} className="plan-target" aria-label={`${cluster}, ${t.release}`}>
                <h3>
                  {t.release}
                  {t.selection !== 'unchanged' ? <span className="muted small"> · {t.selection === 'added' ? 'nothing of it runs here yet' : 'no longer targets this cluster'}</span> : null}
                  {held(cluster, t.release) ? <span className="muted small"> · {held(cluster, t.release)}</span> : null}
                </h3>
                {t.guards.map((g, i) => (
                  <p key={i} className="notice tone-blocked">
                    <Icon name="ban" /> Blocked by guard <strong>{g.guard}</strong>
                    {g.object ? (
                      <>
                        {' '}
                        (<code>{g.object}</code>)
                      </>
                    ) : null}
                    : {g.message}
                  </p>
                ))}
                <ul className="plan-changes">
                  {t.changes.map((c) => (
                    <li key={`${c.action}${c.object}`}>
                      <span className={`badge badge-compact tone-${actionWords[c.action].tone}`}>
                        <span aria-hidden="true">{actionWords[c.action].sign}</span>
                        <span>{actionWords[c.action].word}</span>
                      </span>{' '}
                      <code>{c.object}</code>
                      {c.fields.length && c.action === 'change' ? (
                        <ul className="plan-fields">
                          {c.fields.map((f) => (
                            <Field key={f.path} field={f} />
                          ))}
                        </ul>
                      ) : null}
                    </li>
                  ))}
                </ul>
              </section>
            ))}
          </details>
        ))
      )}
    </>
  );
}

/** PlanPage shows the hub's plan, or what it can tell without one. */
export function PlanPage() {
  useTitle('Plan');
  const { client, store } = useSession();
  const hub = useHub(store);
  const id = useId();
  const [plan, setPlan] = useState<PlanView | undefined>();
  const [state, setState] = useState<'loading' | 'ready' | 'unsupported' | 'error'>('loading');
  const [error, setError] = useState<string>();
  const [reason, setReason] = useState<string>();
  const [loadedAt, setLoadedAt] = useState<number>();
  const load = useCallback(async () => {
    try {
      const answer = await client.get<{ plan: PlanView | null; reason?: string }>('/api/v1/plan');
      setLoadedAt(Date.now());
      if (answer.plan) {
        setPlan(answer.plan);
        setState('ready');
      } else {
        setReason(answer.reason);
        setState('unsupported');
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) setState('unsupported');
      else {
        setError((err as Error).message);
        setState('error');
      }
    }
  }, [client]);
  const revision = hub.fleet?.revision;
  useEffect(() => {
    void load();
  }, [load, revision]);

  const behind = useMemo(() => hub.targets.filter((t) => revision && t.revision !== revision), [hub.targets, revision]);
  // Why a target is not at the newest revision yet: a rollout holds it in a later wave.
  const held = (cluster: string, release: string): string | undefined => {
    const rollout = hub.rollouts.find((r) => r.release === release && r.revision === revision);
    const target = rollout?.targets[cluster];
    if (!rollout || !target || target.status === 'Healthy') return undefined;
    const wave = rollout.waves[target.wave];
    return `rollout: ${target.status === 'Pending' ? 'waits in' : `${target.status.toLowerCase()} in`} wave ${wave?.name ?? target.wave + 1}${wave?.phase === 'WaitingApproval' ? ' (waiting for approval)' : ''}`;
  };
  const why = (cluster: string, release: string, sync: string): string => held(cluster, release) ?? (sync === 'Synced' ? 'not synced since the fetch' : `sync state ${sync}`);

  return (
    <section className="page" aria-labelledby={`${id}-title`}>
      <h1 id={`${id}-title`} tabIndex={-1}>
        Plan
      </h1>
      <div className="page-head">
      <p className="muted page-sub">
        The newest fetched revision{revision ? (
          <>
            {' '}
            (<code title={revision}>{shortRevision(revision)}</code>)
          </>
        ) : null}{' '}
        against what each cluster runs: what promoting every target would change.
        {loadedAt ? <> Computed {ago(loadedAt)}.</> : null}
      </p>
      <button type="button" className="button" onClick={() => void load()}>
        <Icon name="spin" /> Compute again
      </button>
      </div>
      {state === 'loading' ? (
        <p className="muted" role="status">
          Computing the plan…
        </p>
      ) : state === 'error' ? (
        <p className="notice tone-bad" role="alert">
          The plan could not be read: {error}
        </p>
      ) : state === 'ready' && plan ? (
        <PlanDocument plan={plan} held={held} />
      ) : (
        <>
          <p className="notice tone-muted">
            <Icon name="question" /> No field-level plan{reason ? ` (${reason})` : ''}; <code>flotilla plan</code> prints one. Here is where each cluster's revision differs from the newest one.
          </p>
          {behind.length === 0 ? (
            <p>
              <Icon name="check" /> Every target runs the newest revision.
            </p>
          ) : (
            <div className="table-scroll">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Cluster</th>
                    <th scope="col">Release</th>
                    <th scope="col">Runs</th>
                    <th scope="col">Sync</th>
                    <th scope="col">Why not the newest</th>
                  </tr>
                </thead>
                <tbody>
                  {behind.map((t) => (
                    <tr key={`${t.cluster}/${t.release}`}>
                      <th scope="row">
                        <a href={href(['clusters', t.cluster], { release: t.release })}>{t.cluster}</a>
                      </th>
                      <td>{t.release}</td>
                      <td>
                        <code>{shortRevision(t.revision)}</code>
                      </td>
                      <td>
                        <Badge table={syncInfo} state={t.sync} compact />
                      </td>
                      <td>{why(t.cluster, t.release, t.sync)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
