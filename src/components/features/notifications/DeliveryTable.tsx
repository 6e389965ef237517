'use client';

import { Badge, type Tone } from '@/components/ui/Badge';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Time } from '@/components/ui/Time';
import type { DeliveryDto, DeliveryStatus } from '@/lib/contracts/notifications';
import { formatDuration } from '@/lib/presentation/format';

export const DELIVERY_STATUS_LABELS: Record<DeliveryStatus, string> = {
  delivered: 'delivered',
  retrying: 'retrying',
  gave_up: 'gave up',
  failed: 'failed',
};
const STATUS_TONES: Record<DeliveryStatus, Tone> = {
  delivered: 'ok',
  retrying: 'neutral',
  gave_up: 'bad',
  failed: 'bad',
};

const columns: Columns<DeliveryDto> = [
  {
    id: 'time',
    header: 'Time',
    meta: { primary: true },
    cell: ({ row }) => <Time epochMs={row.original.createdAt} />,
  },
  { id: 'channel', header: 'Channel', cell: ({ row }) => row.original.channelName },
  {
    id: 'event',
    header: 'Event',
    cell: ({ row }) => (
      <span className="mono small" title={row.original.eventId}>
        {row.original.eventType}
      </span>
    ),
  },
  {
    id: 'attempt',
    header: 'Attempt',
    meta: { align: 'end', testId: 'delivery-attempt' },
    cell: ({ row }) => row.original.attempt,
  },
  {
    id: 'status',
    header: 'Status',
    cell: ({ row }) => (
      <Badge tone={STATUS_TONES[row.original.status]} testId="delivery-status">
        {DELIVERY_STATUS_LABELS[row.original.status]}
      </Badge>
    ),
  },
  {
    id: 'code',
    header: 'Response',
    meta: { align: 'end', testId: 'delivery-code' },
    cell: ({ row }) => row.original.responseCode ?? '—',
  },
  {
    id: 'error',
    header: 'Error',
    meta: { testId: 'delivery-error' },
    cell: ({ row }) => <span className="muted">{row.original.error ?? ''}</span>,
  },
  {
    id: 'took',
    header: 'Took',
    meta: { align: 'end' },
    cell: ({ row }) => formatDuration(row.original.durationMs),
  },
];

/** The delivery log's rows: when, where, how it ended and what the receiver answered. */
export function DeliveryTable({ deliveries }: { deliveries: readonly DeliveryDto[] }) {
  return (
    <DataTable
      data={deliveries}
      columns={columns}
      getRowId={(delivery) => String(delivery.id)}
      testId="deliveries"
      label="Delivery log"
      rowData={(delivery) => ({
        'data-testid': 'delivery-row',
        'data-status': delivery.status,
        'data-event-type': delivery.eventType,
      })}
    />
  );
}
