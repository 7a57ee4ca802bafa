// The dashboard's frame: sign-in with a token (kept in sessionStorage, so it ends with the tab),
// the role from GET /api/v1/whoami, the header with navigation and the live-stream state, and the
// page the hash names.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, createClient, type ApiClient, type Whoami } from './api.js';
import { HubStore, useHub } from './hub-store.js';
import { href, useRoute } from './route.js';
import { Icon } from './states.js';
import { LoginPage } from './pages/login-page.js';
import { FleetGrid } from './pages/fleet-grid.js';
import { ClusterPage } from './pages/cluster-page.js';
import { RolloutsPage } from './pages/rollouts-page.js';
import { PlanPage } from './pages/plan-page.js';
import { HistoryPage } from './pages/history-page.js';

const tokenKey = 'flotilla.token';

/** Session is who is signed in and how the pages reach the hub. */
export interface Session {
  whoami: Whoami;
  client: ApiClient;
  store: HubStore;
  /** Operators and admins may sync and steer rollouts (SPEC §9). */
  canOperate: boolean;
  isAdmin: boolean;
  signOut(): void;
}

const SessionContext = createContext<Session | null>(null);

/** useSession gives a page the signed-in session. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in page');
  return session;
}

/**
 * whoami asks the hub who the token is. A hub without the route (an older hub) is treated as a
 * viewer: the token is checked with a read and no write control is shown.
 */
async function whoami(client: ApiClient): Promise<Whoami> {
  try {
    return await client.get<Whoami>('/api/v1/whoami');
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      await client.get('/api/v1/fleet');
      return { name: 'token', role: 'viewer' };
    }
    throw error;
  }
}

/** App signs in and shows the pages. */
export function App() {
  const [token, setToken] = useState<string | null>(() => sessionStorage.getItem(tokenKey));
  const [who, setWho] = useState<Whoami | null>(null);
  const [notice, setNotice] = useState<string | undefined>();

  const signOut = useCallback((why?: string) => {
    sessionStorage.removeItem(tokenKey);
    setToken(null);
    setWho(null);
    setNotice(why);
  }, []);
  const signOutNow = useCallback(() => signOut(), [signOut]);

  const client = useMemo(() => (token ? createClient(token, () => signOut('The hub no longer accepts this token; sign in again.')) : null), [token, signOut]);
  // The fleet is read while the hub is still asked who the token is: the two need not wait for
  // each other (the grid of a large fleet shows sooner).
  const store = useMemo(() => (client && token ? new HubStore(client, token, () => signOut('The hub no longer accepts this token; sign in again.')) : null), [client, token, signOut]);
  useEffect(() => {
    if (!store) return;
    store.start();
    return () => store.stop();
  }, [store]);

  useEffect(() => {
    if (!client) return;
    let live = true;
    whoami(client).then(
      (w) => live && setWho(w),
      (error: Error) => live && signOut(error instanceof ApiError && error.status === 401 ? 'The hub does not know this token.' : `The hub cannot be reached: ${error.message}`),
    );
    return () => {
      live = false;
    };
  }, [client, signOut]);

  const signIn = async (candidate: string): Promise<string | undefined> => {
    const probe = createClient(candidate);
    try {
      const w = await whoami(probe);
      sessionStorage.setItem(tokenKey, candidate);
      setNotice(undefined);
      setWho(w);
      setToken(candidate);
      return undefined;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return 'The hub does not know this token.';
      return `The hub cannot be reached: ${(error as Error).message}`;
    }
  };

  if (!token || !client || !store) return <LoginPage onSignIn={signIn} notice={notice} />;
  if (!who)
    return (
      <div className="splash" role="status">
        Signing in…
      </div>
    );
  return <SignedIn store={store} client={client} whoami={who} signOut={signOutNow} />;
}

function SignedIn({ store, client, whoami, signOut }: { store: HubStore; client: ApiClient; whoami: Whoami; signOut(): void }) {
  const session = useMemo<Session>(
    () => ({ whoami, client, store, canOperate: whoami.role === 'operator' || whoami.role === 'admin', isAdmin: whoami.role === 'admin', signOut }),
    [whoami, client, store, signOut],
  );
  return (
    <SessionContext.Provider value={session}>
      <Frame />
    </SessionContext.Provider>
  );
}

const pages = [
  { key: '', label: 'Fleet', icon: 'dot' as const },
  { key: 'rollouts', label: 'Rollouts', icon: 'spin' as const },
  { key: 'plan', label: 'Plan', icon: 'delta' as const },
  { key: 'history', label: 'History', icon: 'clock' as const },
];

function Frame() {
  const { whoami, store, signOut } = useSession();
  const hub = useHub(store);
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const section = route.parts[0] ?? '';
  const first = useRef(true);

  // After a page change, move focus to the new page's heading so a screen reader announces it
  // and the keyboard starts from the top (not on the first load: the browser starts there).
  const page = route.parts.join('/');
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const focusHeading = () => main.current?.querySelector<HTMLElement>('h1')?.focus();
    focusHeading();
    // A page that swaps its heading when its data arrives would drop the focus to the body.
    const retry = setTimeout(() => {
      if (document.activeElement === document.body) focusHeading();
    }, 400);
    return () => clearTimeout(retry);
  }, [page]);

  const streamWords = hub.stream === 'live' ? 'Live' : hub.stream === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href={href([])} aria-label="Flotilla: fleet overview">
          <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
            <rect width="32" height="32" rx="7" fill="#0f2a47" />
            <path d="M6 20h20l-3 5H9z" fill="#fff" />
            <path d="M15 6v12H8zM17 9v9h6z" fill="#7cc4ff" />
          </svg>
          <span>Flotilla</span>
          {hub.fleet?.name ? <span className="brand-fleet">{hub.fleet.name}</span> : null}
        </a>
        <nav aria-label="Main" className="nav">
          {pages.map((p) => (
            <a key={p.key} href={href(p.key ? [p.key] : [])} aria-current={section === p.key ? 'page' : undefined}>
              {p.label}
            </a>
          ))}
        </nav>
        <div className="topbar-end">
          <span className={`stream stream-${hub.stream}`} role="status" aria-live="polite" title="The live event stream from the hub">
            <span className="stream-dot" aria-hidden="true" />
            {streamWords}
          </span>
          <span className="who" title={`Signed in as ${whoami.name}`}>
            <span className="who-name">{whoami.name}</span>
            <span className={`role role-${whoami.role}`}>{whoami.role}</span>
          </span>
          <button type="button" className="button button-quiet" onClick={signOut}>
            <Icon name="x" />
            <span className="signout-word">Sign out</span>
          </button>
        </div>
      </header>
      {hub.error ? (
        <div className="banner tone-bad" role="alert">
          <Icon name="alert" /> The hub did not answer: {hub.error}. Showing what was last loaded.
        </div>
      ) : null}
      {hub.fleet?.error ? (
        <div className="banner tone-warn" role="alert">
          <Icon name="alert" /> The last fetch of the fleet repository failed ({hub.fleet.error.code}): {hub.fleet.error.message}. The hub keeps the last good revision.
        </div>
      ) : null}
      <main id="main" ref={main} tabIndex={-1}>
        <Page />
      </main>
    </>
  );
}

function Page() {
  const route = useRoute();
  const [section, name] = route.parts;
  switch (section) {
    case undefined:
      return <FleetGrid />;
    case 'clusters':
      return name ? <ClusterPage name={name} /> : <FleetGrid />;
    case 'rollouts':
      return <RolloutsPage release={name} />;
    case 'plan':
      return <PlanPage />;
    case 'history':
      return <HistoryPage tab={name === 'audit' ? 'audit' : 'events'} />;
    default:
      return (
        <section className="page">
          <h1 tabIndex={-1}>Page not found</h1>
          <p>
            There is no page <code>#/{route.parts.join('/')}</code>. <a href={href([])}>Go to the fleet</a>.
          </p>
        </section>
      );
  }
}
