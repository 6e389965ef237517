'use client';

import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/Button';
import { Dialog } from '@/components/ui/Dialog';
import { ActionError } from '@/components/ui/FormParts';
import { useStartRun } from '@/hooks/useStartRun';
import { rerunExecutionSchema } from '@/lib/contracts/executions';
import { PromptField } from './PromptField';
import styles from './RunExtras.module.css';

/** "Run again" (the same agent and prompt, a new session) and "Run with…" (the prompt edited first). */
export function RerunActions({ executionId, prompt }: { executionId: number; prompt: string }) {
  const { pending, error, start } = useStartRun();
  const [open, setOpen] = useState(false);
  const [edited, setEdited] = useState(prompt);
  const [promptError, setPromptError] = useState<string | null>(null);

  const rerun = (body?: { prompt: string }) => start(`/api/executions/${executionId}/rerun`, body ?? {});

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = rerunExecutionSchema.safeParse({ prompt: edited });
    const body = parsed.success ? parsed.data : undefined;
    if (!body?.prompt) {
      setPromptError(
        parsed.success ? 'Prompt must not be empty' : (parsed.error.issues[0]?.message ?? 'Invalid prompt'),
      );
      return;
    }
    setPromptError(null);
    void rerun({ prompt: body.prompt });
  };

  return (
    <>
      <Button onClick={() => void rerun()} disabled={pending} data-testid="rerun">
        Run again
      </Button>
      <Dialog
        open={open}
        onOpenChange={setOpen}
        trigger={<Button data-testid="rerun-with">Run with…</Button>}
        title="Run with another prompt"
        description="The same agent, in a new session."
        testId="rerun-dialog"
      >
        <form className={styles.continueForm} onSubmit={onSubmit} noValidate>
          <PromptField
            label="Prompt"
            value={edited}
            onChange={setEdited}
            error={promptError}
            rows={6}
            testId="rerun-prompt"
          />
          <div>
            <Button type="submit" variant="primary" disabled={pending} data-testid="rerun-submit">
              {pending ? 'Starting…' : 'Run'}
            </Button>
          </div>
          <ActionError error={open ? error : null} />
        </form>
      </Dialog>
      {open ? null : <ActionError error={error} testId="rerun-error" />}
    </>
  );
}
