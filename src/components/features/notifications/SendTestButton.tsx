'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/Button';
import { type TestResultDto, testResponseSchema } from '@/lib/contracts/notifications';
import { apiFetch, errorMessage } from '@/lib/http/client';
import { formatDuration } from '@/lib/presentation/format';
import styles from './Notifications.module.css';

type State =
  | { kind: 'idle' }
  | { kind: 'sending' }
  | { kind: 'done'; result: TestResultDto }
  | { kind: 'error'; message: string };

function outcomeText(result: TestResultDto): string {
  const code = result.responseCode === null ? '' : ` (${result.responseCode})`;
  return result.status === 'delivered'
    ? `Delivered${code} in ${formatDuration(result.durationMs)}`
    : `Failed${code}: ${result.error ?? 'no answer'}`;
}

/** Sends a test message through the channel now and says how it went; the delivery log shows it too. */
export function SendTestButton({ channelId }: { channelId: number }) {
  const router = useRouter();
  const [state, setState] = useState<State>({ kind: 'idle' });

  const send = async () => {
    setState({ kind: 'sending' });
    try {
      const { result } = await apiFetch(`/api/notification-channels/${channelId}/test`, {
        method: 'POST',
        schema: testResponseSchema,
      });
      setState({ kind: 'done', result });
      router.refresh();
    } catch (error) {
      setState({ kind: 'error', message: errorMessage(error) });
    }
  };

  return (
    <span className={styles.inline}>
      <Button
        size="small"
        onClick={send}
        disabled={state.kind === 'sending'}
        data-testid={`channel-test-${channelId}`}
      >
        {state.kind === 'sending' ? 'Sending…' : 'Send test'}
      </Button>
      {state.kind === 'done' ? (
        <output
          className={state.result.status === 'delivered' ? styles.testOk : styles.testBad}
          data-testid={`channel-test-result-${channelId}`}
          data-status={state.result.status}
        >
          {outcomeText(state.result)}
        </output>
      ) : null}
      {state.kind === 'error' ? (
        <output
          className={styles.testBad}
          data-testid={`channel-test-result-${channelId}`}
          data-status="error"
        >
          {state.message}
        </output>
      ) : null}
    </span>
  );
}
