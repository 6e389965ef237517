'use client';

import { memo, useMemo, useState } from 'react';
import { z } from 'zod';
import { Disclosure } from '@/components/ui/Disclosure';
import { Empty } from '@/components/ui/Panel';
import type { StepDto, StepKind } from '@/lib/contracts/executions';
import { formatOffset } from '@/lib/presentation/format';
import styles from './Execution.module.css';

const KIND_LABELS: Record<StepKind, { icon: string; label: string }> = {
  system: { icon: '⚙', label: 'System' },
  assistant_text: { icon: '✎', label: 'Assistant' },
  thinking: { icon: '…', label: 'Thinking' },
  tool_use: { icon: '▸', label: 'Tool' },
  tool_result: { icon: '↩', label: 'Tool result' },
  result: { icon: '■', label: 'Result' },
};

// Payload shapes written by the server's message translator; anything else shows as JSON.
const toolUsePayload = z.object({ input: z.unknown() });
const toolResultPayload = z.object({ output: z.string() });
const textPayload = z.object({ text: z.string() });
const thinkingPayload = z.object({ thinking: z.string() });
const resultPayload = z.object({
  result: z.string().nullable(),
  errors: z.array(z.string()).default([]),
});

export type TimelineRow =
  | { kind: 'tool'; use: StepDto; result: StepDto | undefined }
  | { kind: 'step'; step: StepDto };

/** One row per step, except that a tool call and its result share the call's row. */
export function pairToolSteps(steps: readonly StepDto[]): TimelineRow[] {
  const results = new Map<string, StepDto>();
  const calls = new Set<string>();
  for (const step of steps) {
    if (step.toolUseId === null) continue;
    if (step.kind === 'tool_result') results.set(step.toolUseId, step);
    else if (step.kind === 'tool_use') calls.add(step.toolUseId);
  }
  const rows: TimelineRow[] = [];
  for (const step of steps) {
    if (step.kind === 'tool_use' && step.toolUseId !== null) {
      rows.push({ kind: 'tool', use: step, result: results.get(step.toolUseId) });
    } else if (step.kind !== 'tool_result' || step.toolUseId === null || !calls.has(step.toolUseId)) {
      rows.push({ kind: 'step', step });
    }
  }
  return rows;
}

const json = (value: unknown): string => JSON.stringify(value, null, 2) ?? String(value);

function StepBody({ step }: { step: StepDto }) {
  const text = textPayload.safeParse(step.payload);
  if (step.kind === 'assistant_text' && text.success)
    return <pre className={styles.pre}>{text.data.text}</pre>;
  const thinking = thinkingPayload.safeParse(step.payload);
  if (step.kind === 'thinking' && thinking.success)
    return <pre className={styles.pre}>{thinking.data.thinking}</pre>;
  const output = toolResultPayload.safeParse(step.payload);
  if (step.kind === 'tool_result' && output.success)
    return <pre className={styles.pre}>{output.data.output}</pre>;
  const result = resultPayload.safeParse(step.payload);
  if (step.kind === 'result' && result.success) {
    return (
      <>
        {result.data.result ? <pre className={styles.pre}>{result.data.result}</pre> : null}
        {result.data.errors.length > 0 ? (
          <pre className={`${styles.pre} ${styles.preError}`}>{result.data.errors.join('\n')}</pre>
        ) : null}
        <Disclosure summary="Raw result">
          <pre className={styles.pre}>{json(step.payload)}</pre>
        </Disclosure>
      </>
    );
  }
  return <pre className={styles.pre}>{json(step.payload)}</pre>;
}

function RowHeader({
  icon,
  label,
  summary,
  time,
  open,
  onToggle,
  state,
}: {
  icon: string;
  label: string;
  summary: string;
  time: string;
  open: boolean;
  onToggle: () => void;
  state?: string;
}) {
  return (
    <button
      type="button"
      className={styles.stepHead}
      aria-expanded={open}
      onClick={onToggle}
      data-testid="step-toggle"
    >
      <span className={styles.chevron} aria-hidden="true">
        {open ? '▾' : '▸'}
      </span>
      <span className={styles.icon} aria-hidden="true">
        {icon}
      </span>
      <span className={styles.label}>{label}</span>
      <span className={styles.summary} data-testid="step-summary">
        {summary}
      </span>
      {state ? <span className={`${styles.state} ${styles[`state-${state}`] ?? ''}`}>{state}</span> : null}
      <span className={styles.time}>{time}</span>
    </button>
  );
}

/** Rows are memoized: a live run appends steps, and only the new rows (or a tool's result) should render. */
const ToolRow = memo(function ToolRow({
  use,
  result,
  baseMs,
}: {
  use: StepDto;
  result: StepDto | undefined;
  baseMs: number;
}) {
  const [open, setOpen] = useState(false);
  const state = result === undefined ? 'running' : result.isError ? 'error' : 'ok';
  const input = toolUsePayload.safeParse(use.payload);
  const output = result ? toolResultPayload.safeParse(result.payload) : undefined;
  return (
    <li
      className={`${styles.step} ${styles.tool}${state === 'error' ? ` ${styles.error}` : ''}`}
      data-testid="step"
      data-kind="tool_use"
      data-state={state}
    >
      <RowHeader
        icon={KIND_LABELS.tool_use.icon}
        label={use.toolName ?? 'Tool'}
        summary={use.summary}
        time={formatOffset(use.createdAt, baseMs)}
        open={open}
        onToggle={() => setOpen((value) => !value)}
        state={state}
      />
      {open ? (
        <div className={styles.body}>
          <h4>Input</h4>
          <pre className={styles.pre} data-testid="step-input">
            {json(input.success ? input.data.input : use.payload)}
          </pre>
          <h4>Output</h4>
          {result === undefined ? (
            <p className="muted">Waiting for the tool…</p>
          ) : (
            <pre
              className={result.isError ? `${styles.pre} ${styles.preError}` : styles.pre}
              data-testid="step-output"
            >
              {output?.success ? output.data.output : json(result.payload)}
            </pre>
          )}
        </div>
      ) : null}
    </li>
  );
});

const PlainRow = memo(function PlainRow({ step, baseMs }: { step: StepDto; baseMs: number }) {
  const [open, setOpen] = useState(false);
  const { icon, label } = KIND_LABELS[step.kind];
  return (
    <li
      className={step.isError ? `${styles.step} ${styles.error}` : styles.step}
      data-testid="step"
      data-kind={step.kind}
    >
      <RowHeader
        icon={icon}
        label={label}
        summary={step.summary}
        time={formatOffset(step.createdAt, baseMs)}
        open={open}
        onToggle={() => setOpen((value) => !value)}
        state={step.isError ? 'error' : undefined}
      />
      {open ? (
        <div className={styles.body}>
          <StepBody step={step} />
        </div>
      ) : null}
    </li>
  );
});

/** The run's steps in order; each row opens to its payload. Times are offsets from `baseMs`. */
export function StepTimeline({ steps, baseMs }: { steps: readonly StepDto[]; baseMs: number }) {
  const rows = useMemo(() => pairToolSteps(steps), [steps]);
  if (rows.length === 0) {
    return <Empty testId="steps-empty">No steps yet.</Empty>;
  }
  return (
    <ol className={styles.timeline} data-testid="step-timeline">
      {rows.map((row) =>
        row.kind === 'tool' ? (
          <ToolRow key={row.use.seq} use={row.use} result={row.result} baseMs={baseMs} />
        ) : (
          <PlainRow key={row.step.seq} step={row.step} baseMs={baseMs} />
        ),
      )}
    </ol>
  );
}
