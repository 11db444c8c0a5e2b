import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/problem';
import { api, session } from '../app/services';
import { useUser } from '../auth/useSession';
import { ErrorNotice } from '../ui/ErrorNotice';
import { Field } from '../ui/Field';

export default function ProfilePage() {
  return (
    <section className="page">
      <h1>Profile</h1>
      <ProfileForm />
      <PasswordForm />
      <SessionsCard />
    </section>
  );
}

function ProfileForm() {
  const user = useUser();
  const [fullName, setFullName] = useState(user.fullName ?? '');
  const [username, setUsername] = useState(user.username ?? '');
  const [company, setCompany] = useState(user.company ?? '');
  const save = useMutation({
    mutationFn: () => api.me.update({ fullName, username, company }),
    onSuccess: (me) => session.updateUser(me),
    meta: { inlineErrors: true, success: 'Profile saved.' },
  });
  const error = save.error instanceof ApiError ? save.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="profile-title">
      <h2 id="profile-title">Your details</h2>
      <Field label="Email" hint="Ask an administrator to change it.">
        <input type="email" value={user.email} readOnly />
      </Field>
      <Field label="Full name" error={error?.fieldError('fullName')}>
        <input value={fullName} maxLength={100} onChange={(e) => setFullName(e.target.value)} autoComplete="name" />
      </Field>
      <Field label="Username" error={error?.fieldError('username')} hint="Letters, digits and underscores.">
        <input value={username} maxLength={50} onChange={(e) => setUsername(e.target.value)} autoComplete="nickname" />
      </Field>
      <Field label="Company" error={error?.fieldError('company')}>
        <input value={company} maxLength={100} onChange={(e) => setCompany(e.target.value)} autoComplete="organization" />
      </Field>
      <ErrorNotice error={save.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          Save profile
        </button>
      </div>
    </form>
  );
}

function PasswordForm() {
  const user = useUser();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: async () => {
      await api.me.changePassword(current, next);
      // The server ends every session on a password change (whoever knew the old one may hold one) and gives this
      // browser a new one in its refresh cookie: take an access token from it.
      await session.refresh();
    },
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setRepeat('');
    },
    meta: { inlineErrors: true, success: 'Password changed. Other sessions were signed out.' },
  });
  const error = change.error instanceof ApiError ? change.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMismatch(next !== repeat);
    if (next === repeat) {
      change.mutate();
    }
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      <input type="email" autoComplete="username" value={user.email} readOnly hidden />
      <Field label="Current password" error={error?.fieldError('currentPassword')}>
        <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
      </Field>
      <Field label="New password" error={error?.fieldError('newPassword')} hint="At least 8 characters.">
        <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
      </Field>
      <Field label="Repeat the new password" error={mismatch ? 'The two passwords differ.' : undefined}>
        <input type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
      </Field>
      <ErrorNotice error={change.error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={change.isPending}>
          Change password
        </button>
      </div>
    </form>
  );
}

/** Ends every session of the account, on every device, this one included. */
function SessionsCard() {
  const signOut = useMutation({
    mutationFn: () => api.me.signOutEverywhere(),
    onSuccess: () => session.end('You were signed out on every device.'),
  });
  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      <p>
        Lost a device, or signed in on a shared computer? Sign out everywhere ends every session of your account at
        once, this one included: open dashboards stop updating and open consoles close.
      </p>
      <ErrorNotice error={signOut.error} />
      <div className="actions">
        <button type="button" className="danger" disabled={signOut.isPending} onClick={() => signOut.mutate()}>
          Sign out everywhere
        </button>
      </div>
    </section>
  );
}
