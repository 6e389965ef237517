'use client';

import { z } from 'zod';
import { apiFetch } from '@/lib/http/client';

/** Ends this browser's session (the access token stays valid for scripts and other browsers). */
export function SignOutButton() {
  const signOut = async () => {
    await apiFetch('/api/auth/session', { method: 'DELETE', schema: z.undefined() }).catch(() => undefined);
    window.location.assign('/signin');
  };
  return (
    <button
      type="button"
      className="button button-small signout"
      onClick={() => void signOut()}
      data-testid="sign-out"
    >
      Sign out
    </button>
  );
}
