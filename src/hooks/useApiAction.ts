import { useState } from 'react';
import { errorMessage } from '@/lib/http/client';

/**
 * A button's call to the API: `pending` while it runs, and what went wrong, in words, if it
 * failed. `run` resolves true when the action succeeded.
 */
export function useApiAction() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<void>): Promise<boolean> => {
    setPending(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(errorMessage(caught));
      return false;
    } finally {
      setPending(false);
    }
  };
  return { pending, error, run };
}
