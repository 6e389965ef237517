'use client';

import { useRouter } from 'next/navigation';
import { AlertDialog } from 'radix-ui';
import { useState } from 'react';
import { z } from 'zod';
import { useApiAction } from '@/hooks/useApiAction';
import { apiFetch } from '@/lib/http/client';
import { Button } from './Button';
import styles from './Dialog.module.css';
import { ActionError, FormActions } from './FormParts';

/**
 * Deletes through the API after a confirmation dialog (Radix AlertDialog: focus starts on Cancel),
 * then goes to `then`. `testId` names the button; the confirming one is `${testId}-confirm`.
 */
export function ConfirmDeleteButton({
  apiPath,
  question,
  then,
  testId,
}: {
  apiPath: string;
  question: string;
  then: string;
  testId: string;
}) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const { pending, error, run } = useApiAction();

  const remove = () =>
    run(async () => {
      await apiFetch(apiPath, { method: 'DELETE', schema: z.undefined() });
      setOpen(false);
      router.push(then);
      router.refresh();
    });

  return (
    <AlertDialog.Root open={open} onOpenChange={setOpen}>
      <AlertDialog.Trigger asChild>
        <Button variant="danger" data-testid={testId}>
          Delete
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className={styles.overlay} />
        <AlertDialog.Content className={styles.content}>
          <div className={styles.head}>
            <AlertDialog.Title className={styles.title}>Delete?</AlertDialog.Title>
          </div>
          <AlertDialog.Description className={styles.description}>{question}</AlertDialog.Description>
          <FormActions>
            <AlertDialog.Cancel asChild>
              <Button disabled={pending}>Cancel</Button>
            </AlertDialog.Cancel>
            <Button variant="danger" onClick={remove} disabled={pending} data-testid={`${testId}-confirm`}>
              {pending ? 'Deleting…' : 'Yes, delete'}
            </Button>
            <ActionError error={error} />
          </FormActions>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
