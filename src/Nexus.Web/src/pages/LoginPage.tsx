import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError } from '../api/problem';
import { session } from '../app/services';
import { useSession } from '../auth/useSession';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Field } from '../ui/Field';

export function LoginPage() {
  const state = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  if (state.status === 'signedIn' && !busy) {
    return <Navigate to={from} replace />;
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await session.login(email, password);
      navigate(from, { replace: true });
    } catch (err) {
      setError(err);
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  const api = error instanceof ApiError ? error : null;
  const title = api?.status === 423 ? 'Account locked' : api?.status === 401 ? 'Sign-in failed' : undefined;
  return (
    <main id="main" className="login">
      <form className="card login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title" noValidate>
        <h1 id="login-title">Sign in to Nexus</h1>
        {state.status === 'signedOut' && state.reason && !error && (
          <div className="notice" role="status">
            {state.reason}
          </div>
        )}
        {error !== null && <ErrorNotice error={error} title={title} />}
        <Field label="Email" error={api?.fieldError('email')}>
          <input type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        </Field>
        <Field label="Password" error={api?.fieldError('password')}>
          <input type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
