'use client';

import { useState } from 'react';
import { isActiveStatus } from '@/lib/contracts/executions';
import { type HealthReportDto, healthOutcomeOf } from '@/lib/contracts/healthReports';
import { useSubscription } from './useWebSocket';

/**
 * The reporter's reports, server-rendered first; a run of the reporter that ends while the page is
 * open joins them at once, read from the run's own live frame (its structured answer).
 */
export function useHealthReports(initial: HealthReportDto[], reporterId: number | null): HealthReportDto[] {
  const [reports, setReports] = useState(initial);
  useSubscription(reporterId === null ? null : { topic: 'executions' }, (frame) => {
    if (frame.type !== 'execution.updated') return;
    const { execution } = frame;
    if (execution.agentId !== reporterId || isActiveStatus(execution.status)) return;
    const { report, rawAnswer } = healthOutcomeOf(execution);
    setReports((known) =>
      known.some((known) => known.executionId === execution.id)
        ? known
        : [
            ...known,
            {
              // Not stored yet from the page's point of view: the id is only for keys.
              id: -execution.id,
              executionId: execution.id,
              agentId: execution.agentId,
              status: report?.status ?? 'invalid',
              report,
              rawAnswer,
              createdAt: execution.finishedAt ?? Date.now(),
            },
          ],
    );
  });
  return reports;
}
