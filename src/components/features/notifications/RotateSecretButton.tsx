'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/Button';
import { ActionError } from '@/components/ui/FormParts';
import { useApiAction } from '@/hooks/useApiAction';
import { channelResponseSchema } from '@/lib/contracts/notifications';
import { apiFetch } from '@/lib/http/client';
import styles from './Notifications.module.css';
import { SecretOnce } from './SecretOnce';

/**
 * Gives a webhook a new signing secret, shown once. The old one stops working at once, so it asks
 * first.
 */
export function RotateSecretButton({ channelId, masked }: { channelId: number; masked: string }) {
  const [confirming, setConfirming] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const { pending, error, run } = useApiAction();

  const rotate = () =>
    run(async () => {
      const response = await apiFetch(`/api/notification-channels/${channelId}`, {
        method: 'PATCH',
        body: { rotateSecret: true },
        schema: channelResponseSchema,
      });
      setSecret(response.secret ?? null);
      setConfirming(false);
    });

  if (secret !== null) return <SecretOnce secret={secret} />;
  return (
    <div className={styles.inline}>
      <span>
        Signing secret <span className="mono">{masked}</span>
      </span>
      {confirming ? (
        <>
          <span>The receiver must get the new one: messages signed with the old one stop verifying.</span>
          <Button variant="danger" onClick={rotate} disabled={pending} data-testid="channel-rotate-confirm">
            {pending ? 'Rotating…' : 'Yes, new secret'}
          </Button>
          <Button onClick={() => setConfirming(false)} disabled={pending}>
            Cancel
          </Button>
        </>
      ) : (
        <Button onClick={() => setConfirming(true)} data-testid="channel-rotate">
          New secret
        </Button>
      )}
      <ActionError error={error} />
    </div>
  );
}
