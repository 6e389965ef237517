'use client';

import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { z } from 'zod';
import { Button } from '@/components/ui/Button';
import { ActionError } from '@/components/ui/FormParts';
import { Panel } from '@/components/ui/Panel';
import { apiFetch, errorMessage } from '@/lib/http/client';
import styles from './SignIn.module.css';

/** Exchanges the access token for a session cookie; a `?token=` link signs in at once. */
export function SignInForm({ next }: { next: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const autoTried = useRef(false);

  const signIn = useCallback(
    async (value: string) => {
      setBusy(true);
      setError(null);
      try {
        await apiFetch('/api/auth/session', {
          method: 'POST',
          body: { token: value.trim() },
          schema: z.undefined(),
        });
        window.location.assign(next);
      } catch (caught) {
        setError(errorMessage(caught));
        setBusy(false);
      }
    },
    [next],
  );

  useEffect(() => {
    const fromLink = new URL(window.location.href).searchParams.get('token');
    if (fromLink === null || autoTried.current) return;
    autoTried.current = true;
    // Keep the token out of the address bar and the history.
    window.history.replaceState(null, '', `/signin?next=${encodeURIComponent(next)}`);
    void signIn(fromLink);
  }, [next, signIn]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void signIn(token);
  };

  return (
    <Panel>
      <form className={styles.form} onSubmit={onSubmit}>
        <label htmlFor="token" className={styles.label}>
          Access token
        </label>
        <input
          id="token"
          type="password"
          autoComplete="current-password"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          data-testid="signin-token"
          required
        />
        <ActionError error={error} testId="signin-error" />
        <Button type="submit" variant="primary" disabled={busy} data-testid="signin-submit">
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
    </Panel>
  );
}
