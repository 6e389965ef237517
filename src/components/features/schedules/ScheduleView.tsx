'use client';

import Link from 'next/link';
import { useState } from 'react';
import { Tag } from '@/components/ui/Badge';
import { ConfirmDeleteButton } from '@/components/ui/ConfirmDeleteButton';
import { Disclosure } from '@/components/ui/Disclosure';
import { Fact, Facts } from '@/components/ui/Facts';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { useRunStatuses } from '@/hooks/useRunStatuses';
import { useScheduleFirings } from '@/hooks/useScheduleFirings';
import type { ExecutionStatus } from '@/lib/contracts/executions';
import type { ScheduleDto, ScheduleFiringDto, ScheduleTargetOptions } from '@/lib/contracts/schedules';
import type { WorkflowRunStatus } from '@/lib/contracts/workflows';
import { applyFiring, scheduleTitle, withFiring } from '@/lib/presentation/scheduleView';
import { FiringHistory } from './FiringHistory';
import { NextRunsTable } from './NextRunsTable';
import { ScheduleActions } from './ScheduleActions';
import { ScheduleForm } from './ScheduleForm';
import styles from './Schedules.module.css';
import { LastFiring, ScheduleTarget, ScheduleWhen } from './ScheduleTable';

export interface ScheduleViewProps {
  schedule: ScheduleDto;
  /** The newest page of its history. */
  firings: ScheduleFiringDto[];
  /** Set when older firings exist: the id to page on from. */
  olderBefore: number | null;
  runStatuses: Record<number, ExecutionStatus>;
  workflowRunStatuses: Record<number, WorkflowRunStatus>;
  targets: ScheduleTargetOptions;
  defaultTimeZone: string;
  renderedAt: number;
  /** A page of older firings: new ones are not added to it. */
  paged: boolean;
}

const HISTORY_LIMIT = 50;

/** One schedule: what it does and when, its next runs, its history live, and its edit form. */
export function ScheduleView(props: ScheduleViewProps) {
  const [schedule, setSchedule] = useState(props.schedule);
  const [firings, setFirings] = useState(props.firings);
  // A pause or resume from the buttons starts the edit form again from the schedule as it now is.
  const [formKey, setFormKey] = useState(0);
  const runStatuses = useRunStatuses(schedule.id, props.runStatuses);

  const record = (incoming: ScheduleFiringDto[]) => {
    const ours = incoming.filter((firing) => firing.scheduleId === schedule.id);
    if (ours.length === 0) return;
    setSchedule((current) => ours.reduce(applyFiring, current));
    if (!props.paged)
      setFirings((current) =>
        ours.reduce((list, firing) => withFiring(list, firing, HISTORY_LIMIT), current),
      );
  };
  useScheduleFirings(record);

  const input = Object.entries(schedule.workflowInput ?? {});
  return (
    <>
      <PageHeader
        titleTestId="schedule-title"
        title={
          <>
            {scheduleTitle(schedule)}
            {schedule.enabled ? null : <Tag testId="schedule-paused">paused</Tag>}
          </>
        }
        actions={
          <>
            <ScheduleActions
              schedule={schedule}
              onChanged={(changed) => {
                setSchedule(changed);
                setFormKey((key) => key + 1);
              }}
              onFired={(firing) => record([firing])}
            />
            <ConfirmDeleteButton
              apiPath={`/api/schedules/${schedule.id}`}
              question={`Delete ${scheduleTitle(schedule)}? Its history and runs stay.`}
              then="/schedules"
              testId="schedule-delete"
            />
          </>
        }
      />
      <Panel>
        <Facts>
          <Fact label="Runs" testId="schedule-runs">
            <ScheduleTarget schedule={schedule} />
          </Fact>
          <Fact label="When" testId="schedule-when">
            <ScheduleWhen schedule={schedule} />
          </Fact>
          <Fact label="Overlap" testId="schedule-overlap">
            {schedule.overlapPolicy}
          </Fact>
          <Fact label="Catch-up" testId="schedule-catch-up">
            {schedule.catchUp === 'latest' ? `latest, within ${schedule.catchUpWindowSeconds} s` : 'skip'}
          </Fact>
          <Fact label="Jitter" testId="schedule-jitter">
            {schedule.jitterSeconds === 0 ? 'none' : `0–${schedule.jitterSeconds} s`}
          </Fact>
        </Facts>
        {schedule.prompt !== null ? (
          <Disclosure summary="Prompt">
            <pre className={styles.prompt}>{schedule.prompt}</pre>
          </Disclosure>
        ) : null}
        {input.length > 0 ? (
          <p className="small" data-testid="schedule-input">
            Input: {input.map(([name, value]) => `${name} = “${value}”`).join(', ')}
          </p>
        ) : null}
        <p className="small">
          Last: <LastFiring schedule={schedule} />
        </p>
      </Panel>
      <Panel title="Next runs" testId="schedule-next-runs">
        <NextRunsTable runs={schedule.nextRuns} timeZone={schedule.timezone} />
      </Panel>
      <Panel
        title="History"
        actions={props.paged ? <Link href={`/schedules/${schedule.id}`}>Newest</Link> : null}
      >
        <FiringHistory
          firings={firings}
          timeZone={schedule.timezone}
          runStatuses={runStatuses}
          workflowRunStatuses={props.workflowRunStatuses}
        />
        {props.olderBefore !== null ? (
          <p>
            <Link href={`/schedules/${schedule.id}?before=${props.olderBefore}`} data-testid="firings-older">
              Older
            </Link>
          </p>
        ) : null}
      </Panel>
      <Disclosure panel summary="Edit" testId="schedule-edit">
        <ScheduleForm
          key={formKey}
          schedule={schedule}
          targets={props.targets}
          defaultTimeZone={props.defaultTimeZone}
          renderedAt={props.renderedAt}
          onSaved={setSchedule}
        />
      </Disclosure>
    </>
  );
}
