'use client';

import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/Button';
import { ActionError } from '@/components/ui/FormParts';
import { useApiAction } from '@/hooks/useApiAction';
import { channelResponseSchema } from '@/lib/contracts/notifications';
import { apiFetch } from '@/lib/http/client';

/** Turns a channel on or off; off drops what it had not sent yet, so nothing stale goes out later. */
export function ChannelEnabledButton({ channelId, enabled }: { channelId: number; enabled: boolean }) {
  const router = useRouter();
  const { pending, error, run } = useApiAction();

  const flip = () =>
    run(async () => {
      await apiFetch(`/api/notification-channels/${channelId}`, {
        method: 'PATCH',
        body: { enabled: !enabled },
        schema: channelResponseSchema,
      });
      router.refresh();
    });

  return (
    <>
      <Button
        size="small"
        onClick={flip}
        disabled={pending}
        title={enabled ? 'Stop sending; what it has not sent yet is dropped' : undefined}
        data-testid={`channel-toggle-${channelId}`}
      >
        {enabled ? 'Disable' : 'Enable'}
      </Button>
      <ActionError error={error} />
    </>
  );
}
