'use client';

import { z } from 'zod';
import { Button } from '@/components/ui/Button';
import { apiFetch } from '@/lib/http/client';

/** Ends this browser's session (the access token stays valid for scripts and other browsers). */
export function SignOutButton() {
  const signOut = async () => {
    await apiFetch('/api/auth/session', { method: 'DELETE', schema: z.undefined() }).catch(() => undefined);
    window.location.assign('/signin');
  };
  return (
    <Button size="small" onClick={() => void signOut()} data-testid="sign-out">
      Sign out
    </Button>
  );
}
