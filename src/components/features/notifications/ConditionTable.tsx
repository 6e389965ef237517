'use client';

import { Badge } from '@/components/ui/Badge';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Time } from '@/components/ui/Time';
import { useClock } from '@/contexts/ClockContext';
import type { ConditionDto } from '@/lib/contracts/notifications';

const at = (epochMs: number) => <Time epochMs={epochMs} format="datetime" />;

/** One line on why the condition did or did not send. */
function ConditionReason({ condition }: { condition: ConditionDto }) {
  const { now } = useClock();
  const { status, eventType } = condition;
  switch (status.kind) {
    case 'clear':
      return <>Clear</>;
    case 'pending':
      return <>Not sent yet: breached since {at(status.since)}, it must hold longer first</>;
    case 'sent':
      return (
        <>
          Sent <Time epochMs={status.at} format="relative" /> to {status.channels.join(', ')}
          {status.quietUntil > now && <> (again after {at(status.quietUntil)} if it still holds)</>}
        </>
      );
    case 'no_channel':
      return <>Not sent: no channel subscribes to {eventType}</>;
    case 'channels_disabled':
      return (
        <>
          Not sent: the channels subscribing to {eventType} are disabled ({status.channels.join(', ')})
        </>
      );
    case 'other_agents':
      return (
        <>
          Not sent: the channels subscribing to {eventType} are limited to other agents (
          {status.channels.join(', ')})
        </>
      );
    case 'notified_before_channel':
      return (
        <>
          Not sent: it was marked notified at {at(status.notifiedAt)}, before the first channel subscribing to
          it ({status.channel}) was created at {at(status.channelCreatedAt)};{' '}
          {status.nextPossibleAt > now ? (
            <>next possible at {at(status.nextPossibleAt)}, or when it clears</>
          ) : (
            <>it goes out at its next check if it still holds</>
          )}
        </>
      );
  }
}

function ConditionState({ condition }: { condition: ConditionDto }) {
  if (condition.since === null) return <Badge tone="ok">clear</Badge>;
  return condition.active ? (
    <Badge tone="bad">
      active since <Time epochMs={condition.since} />
    </Badge>
  ) : (
    <Badge tone="warn">
      breached since <Time epochMs={condition.since} />
    </Badge>
  );
}

const columns: Columns<ConditionDto> = [
  {
    id: 'name',
    header: 'Condition',
    meta: { primary: true },
    cell: ({ row }) => (
      <span title={row.original.key}>
        {row.original.label} <span className="mono small muted">{row.original.eventType}</span>
      </span>
    ),
  },
  { id: 'state', header: 'State', cell: ({ row }) => <ConditionState condition={row.original} /> },
  {
    id: 'evaluated',
    header: 'Last changed',
    cell: ({ row }) => <Time epochMs={row.original.updatedAt} />,
  },
  {
    id: 'sent',
    header: 'Last marked sent',
    cell: ({ row }) => <Time epochMs={row.original.lastNotifiedAt} />,
  },
  {
    id: 'reason',
    header: 'Why',
    meta: { testId: 'condition-reason' },
    // One inline box: the phone's card lays a cell's children out as flex items.
    cell: ({ row }) => (
      <span>
        <ConditionReason condition={row.original} />
      </span>
    ),
  },
];

/** Every notification condition: its state, and why it did or did not send. */
export function ConditionTable({ conditions }: { conditions: readonly ConditionDto[] }) {
  return (
    <DataTable
      data={conditions}
      columns={columns}
      getRowId={(condition) => condition.key}
      testId="conditions"
      label="Notification conditions"
      rowData={(condition) => ({
        'data-testid': 'condition-row',
        'data-key': condition.key,
        'data-status': condition.status.kind,
      })}
    />
  );
}
