'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { channelResponseSchema } from '@/lib/contracts/notifications';
import { apiFetch, errorMessage } from '@/lib/http/client';

/** Turns a channel on or off; off drops what it had not sent yet, so nothing stale goes out later. */
export function ChannelEnabledButton({ channelId, enabled }: { channelId: number; enabled: boolean }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const flip = async () => {
    setPending(true);
    setError(null);
    try {
      await apiFetch(`/api/notification-channels/${channelId}`, {
        method: 'PATCH',
        body: { enabled: !enabled },
        schema: channelResponseSchema,
      });
      router.refresh();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <button
        type="button"
        className="button button-small"
        onClick={flip}
        disabled={pending}
        title={enabled ? 'Stop sending; what it has not sent yet is dropped' : undefined}
        data-testid={`channel-toggle-${channelId}`}
      >
        {enabled ? 'Disable' : 'Enable'}
      </button>
      {error ? (
        <span className="field-error" role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}
