'use client';

import { useState } from 'react';
import { Button, ButtonGroup } from '@/components/ui/Button';
import { ActionError } from '@/components/ui/FormParts';
import {
  firingResponseSchema,
  type ScheduleDto,
  type ScheduleFiringDto,
  scheduleResponseSchema,
} from '@/lib/contracts/schedules';
import { apiFetch, errorMessage } from '@/lib/http/client';

export interface ScheduleActionsProps {
  schedule: ScheduleDto;
  /** The schedule as the server answered a pause or resume. */
  onChanged(schedule: ScheduleDto): void;
  /** The firing a run now started. A refused one (409) is recorded too, and arrives live like any firing. */
  onFired(firing: ScheduleFiringDto): void;
}

/** Pause or resume, and run now. A refused run now shows why, beside the buttons. */
export function ScheduleActions({ schedule, onChanged, onFired }: ScheduleActionsProps) {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const act = async (action: () => Promise<void>) => {
    setBusy(true);
    setMessage(null);
    try {
      await action();
    } catch (error) {
      setMessage(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  const toggle = () =>
    act(async () => {
      const { schedule: changed } = await apiFetch(`/api/schedules/${schedule.id}`, {
        method: 'PATCH',
        body: { enabled: !schedule.enabled },
        schema: scheduleResponseSchema,
      });
      onChanged(changed);
    });

  const runNow = () =>
    act(async () => {
      const { firing } = await apiFetch(`/api/schedules/${schedule.id}/run`, {
        method: 'POST',
        schema: firingResponseSchema,
      });
      onFired(firing);
    });

  return (
    <ButtonGroup>
      <Button size="small" onClick={toggle} disabled={busy} data-testid="schedule-toggle">
        {schedule.enabled ? 'Pause' : 'Resume'}
      </Button>
      <Button size="small" onClick={runNow} disabled={busy} data-testid="schedule-run-now">
        Run now
      </Button>
      <ActionError error={message} testId="schedule-action-error" />
    </ButtonGroup>
  );
}
