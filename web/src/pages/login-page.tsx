// Sign-in: the hub's bearer token (SPEC §9), kept in this tab's sessionStorage only.
import { useId, useState, type FormEvent } from 'react';
import { useTitle } from '../route.js';
import { Icon } from '../states.js';

/** LoginPage asks for a token and checks it with the hub before keeping it. */
export function LoginPage({ onSignIn, notice }: { onSignIn(token: string): Promise<string | undefined>; notice?: string }) {
  useTitle('Sign in');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const id = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!token.trim()) {
      setError('Enter the token the hub gave you.');
      return;
    }
    setBusy(true);
    const problem = await onSignIn(token.trim());
    setBusy(false);
    setError(problem);
  };
  const message = error ?? notice;
  return (
    <main className="login" id="main">
      <form className="login-card" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
        <div className="login-brand" aria-hidden="true">
          <svg viewBox="0 0 32 32" width="40" height="40">
            <rect width="32" height="32" rx="7" fill="#0f2a47" />
            <path d="M6 20h20l-3 5H9z" fill="#fff" />
            <path d="M15 6v12H8zM17 9v9h6z" fill="#7cc4ff" />
          </svg>
        </div>
        <h1 id={`${id}-title`}>Sign in to Flotilla</h1>
        <p className="muted">Use a token from the hub's tokens file (<code>--tokens</code>); <code>flotilla demo</code> prints an admin token.</p>
        <label htmlFor={`${id}-token`}>Access token</label>
        <input
          id={`${id}-token`}
          name="token"
          type="password"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={message ? `${id}-error` : undefined}
        />
        {message ? (
          <p id={`${id}-error`} className="form-error" role="alert">
            <Icon name="alert" /> {message}
          </p>
        ) : null}
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
        <p className="muted small">The token stays in this browser tab only and is sent to this hub alone.</p>
      </form>
    </main>
  );
}
