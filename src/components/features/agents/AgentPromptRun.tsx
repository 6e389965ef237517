'use client';

import { type FormEvent, useState } from 'react';
import { PromptField } from '@/components/features/execution/PromptField';
import { Button } from '@/components/ui/Button';
import { ErrorText } from '@/components/ui/FormParts';
import { useStartRun } from '@/hooks/useStartRun';
import { startExecutionSchema } from '@/lib/contracts/executions';
import styles from './Agents.module.css';

/** A prompt box and Run: the agent with this prompt (its default one to start with). */
export function AgentPromptRun({ agentId, defaultPrompt }: { agentId: number; defaultPrompt: string }) {
  const [prompt, setPrompt] = useState(defaultPrompt);
  const [promptError, setPromptError] = useState<string | null>(null);
  const { pending, error, start } = useStartRun();

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = startExecutionSchema.safeParse({ agentId, prompt });
    setPromptError(parsed.success ? null : (parsed.error.issues[0]?.message ?? 'Invalid prompt'));
    if (parsed.success) void start('/api/executions', parsed.data);
  };

  return (
    <form className={styles.promptForm} onSubmit={onSubmit} noValidate data-testid="agent-prompt-run">
      <PromptField
        label="Prompt"
        value={prompt}
        onChange={setPrompt}
        error={promptError}
        testId="agent-prompt"
      />
      <div>
        <Button type="submit" variant="primary" disabled={pending} data-testid="agent-prompt-submit">
          {pending ? 'Starting…' : 'Run with this prompt'}
        </Button>
      </div>
      {error ? <ErrorText testId="agent-prompt-run-error">{error}</ErrorText> : null}
    </form>
  );
}
