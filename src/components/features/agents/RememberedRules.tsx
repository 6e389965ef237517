'use client';

import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/Button';
import { ActionError, Hint } from '@/components/ui/FormParts';
import { useApiAction } from '@/hooks/useApiAction';
import { agentResponseSchema } from '@/lib/contracts/agents';
import { apiFetch } from '@/lib/http/client';
import styles from './Agents.module.css';

/** Rules saved by "approve and remember", each revocable: its calls ask (or are denied) again. */
export function RememberedRules({ agentId, rules }: { agentId: number; rules: readonly string[] }) {
  const router = useRouter();
  const { pending, error, run } = useApiAction();
  const revoke = (rule: string) =>
    run(async () => {
      await apiFetch(`/api/agents/${agentId}`, {
        method: 'PATCH',
        body: { rememberedTools: rules.filter((kept) => kept !== rule) },
        schema: agentResponseSchema,
      });
      router.refresh();
    });
  return (
    <div data-testid="remembered-rules">
      <h3>Remembered rules</h3>
      {rules.length === 0 ? (
        <Hint>
          None yet. “Approve and remember” on a waiting call saves Claude Code’s suggested rule here.
        </Hint>
      ) : (
        <ul className={styles.remembered}>
          {rules.map((rule) => (
            <li key={rule} data-testid="remembered-rule">
              <code>{rule}</code>
              <Button
                size="small"
                disabled={pending}
                onClick={() => void revoke(rule)}
                aria-label={`Revoke ${rule}`}
              >
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      )}
      <ActionError error={error} testId="remembered-error" />
    </div>
  );
}
