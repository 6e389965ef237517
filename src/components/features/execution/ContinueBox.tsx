'use client';

import { type FormEvent, useEffect, useState } from 'react';
import { Button } from '@/components/ui/Button';
import { Callout } from '@/components/ui/Callout';
import { Check, ErrorText, Hint } from '@/components/ui/FormParts';
import { Panel } from '@/components/ui/Panel';
import { useStartRun } from '@/hooks/useStartRun';
import {
  type ContinuePreview,
  continueExecutionSchema,
  continuePreviewResponseSchema,
} from '@/lib/contracts/executions';
import { apiFetch, errorMessage } from '@/lib/http/client';
import { formatCount, formatDuration, formatUsd } from '@/lib/presentation/format';
import { PromptField } from './PromptField';
import styles from './RunExtras.module.css';

/** What continuing costs: the transcript's age against the prompt cache, and the first turn's estimate. */
function PreviewLine({ preview }: { preview: ContinuePreview }) {
  if (!preview.available)
    return (
      <Callout tone="info" testId="continue-unavailable">
        {preview.reason ?? 'This run cannot be continued.'}
      </Callout>
    );
  const age =
    preview.transcriptAgeMs === null ? 'unknown age' : `${formatDuration(preview.transcriptAgeMs)} old`;
  return (
    <Hint>
      <span data-testid="continue-preview">
        Transcript: {formatCount(preview.transcriptEntries)} entries, {age};{' '}
        {preview.cacheWarm
          ? `the prompt cache (${formatDuration(preview.cacheTtlMs)}) is still warm.`
          : `past the prompt cache's ${formatDuration(preview.cacheTtlMs)}, so the first turn writes ${formatCount(preview.contextTokens)} tokens of context again: about ${preview.unpriced ? 'an unknown amount (the model has no price)' : formatUsd(preview.estimatedFirstTurnCostUsd)}.`}
      </span>
    </Hint>
  );
}

/**
 * Continue an ended run on its own Claude session (or a fork of it) with a new prompt, after a
 * look at what the first turn will cost. The new run opens on its own page.
 */
export function ContinueBox({ executionId }: { executionId: number }) {
  const [preview, setPreview] = useState<ContinuePreview | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [prompt, setPrompt] = useState('');
  const [fork, setFork] = useState(false);
  const [promptError, setPromptError] = useState<string | null>(null);
  const { pending, error, start } = useStartRun();

  useEffect(() => {
    const abort = new AbortController();
    apiFetch(`/api/executions/${executionId}/continue`, {
      schema: continuePreviewResponseSchema,
      signal: abort.signal,
    })
      .then((answer) => setPreview(answer.preview))
      .catch((caught: unknown) => {
        if (!abort.signal.aborted) setPreviewError(errorMessage(caught));
      });
    return () => abort.abort();
  }, [executionId]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = continueExecutionSchema.safeParse({ prompt, fork });
    setPromptError(parsed.success ? null : (parsed.error.issues[0]?.message ?? 'Invalid prompt'));
    if (parsed.success) void start(`/api/executions/${executionId}/continue`, parsed.data);
  };

  const unavailable = preview !== null && !preview.available;
  return (
    <Panel title="Continue this run" testId="continue-box">
      <form className={styles.continueForm} onSubmit={onSubmit} noValidate>
        {preview ? <PreviewLine preview={preview} /> : null}
        {previewError ? <ErrorText>{previewError}</ErrorText> : null}
        <PromptField
          label="What to tell it next"
          value={prompt}
          onChange={setPrompt}
          error={promptError}
          disabled={unavailable}
          testId="continue-prompt"
        />
        <Check
          label="Fork: a new session that starts from this one's history, leaving this one as it is"
          checked={fork}
          onChange={(event) => setFork(event.target.checked)}
          disabled={unavailable}
          data-testid="continue-fork"
        />
        <div>
          <Button
            type="submit"
            variant="primary"
            disabled={pending || unavailable}
            data-testid="continue-submit"
          >
            {pending ? 'Starting…' : fork ? 'Fork and continue' : 'Continue'}
          </Button>
        </div>
        {error ? <ErrorText testId="continue-error">{error}</ErrorText> : null}
      </form>
    </Panel>
  );
}
