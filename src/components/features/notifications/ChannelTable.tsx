'use client';

import Link from 'next/link';
import { Tag } from '@/components/ui/Badge';
import { ButtonGroup, ButtonLink } from '@/components/ui/Button';
import { type Columns, DataTable } from '@/components/ui/DataTable';
import { Empty } from '@/components/ui/Panel';
import type { ChannelDto } from '@/lib/contracts/notifications';
import { ChannelEnabledButton } from './ChannelEnabledButton';
import { CHANNEL_TYPE_LABELS } from './channelFormModel';
import { channelAgents, channelTarget } from './channelText';
import styles from './Notifications.module.css';
import { SendTestButton } from './SendTestButton';

function columnsFor(agentNames: ReadonlyMap<number, string>): Columns<ChannelDto> {
  return [
    {
      id: 'name',
      header: 'Name',
      accessorFn: (channel) => channel.name.toLowerCase(),
      enableSorting: true,
      meta: { primary: true },
      cell: ({ row: { original: channel } }) => (
        <span>
          <Link href={`/notifications/${channel.id}`} data-testid="channel-name">
            {channel.name}
          </Link>
          {channel.enabled ? null : (
            <>
              {' '}
              <Tag>disabled</Tag>
            </>
          )}
        </span>
      ),
    },
    {
      id: 'type',
      header: 'Type',
      accessorFn: (channel) => channel.type,
      enableSorting: true,
      cell: ({ row }) => CHANNEL_TYPE_LABELS[row.original.type],
    },
    {
      id: 'target',
      header: 'Sends to',
      cell: ({ row }) => <span className={`mono small ${styles.target}`}>{channelTarget(row.original)}</span>,
    },
    {
      id: 'events',
      header: 'Events',
      cell: ({ row: { original: channel } }) => (
        <span title={channel.events.join(', ')}>
          {channel.events.length === 1 ? channel.events[0] : `${channel.events.length} events`}
        </span>
      ),
    },
    { id: 'agents', header: 'Agents', cell: ({ row }) => channelAgents(row.original, agentNames) },
    {
      id: 'actions',
      header: () => <span className="visually-hidden">Actions</span>,
      meta: { align: 'end', shrink: true, bare: true },
      cell: ({ row: { original: channel } }) => (
        <ButtonGroup>
          <SendTestButton channelId={channel.id} />
          <ChannelEnabledButton channelId={channel.id} enabled={channel.enabled} />
          <ButtonLink href={`/notifications/${channel.id}`} size="small">
            Edit
          </ButtonLink>
        </ButtonGroup>
      ),
    },
  ];
}

/** Every channel: where it sends, what it wants, and the buttons to test, pause and edit it. */
export function ChannelTable({
  channels,
  agentNames,
}: {
  channels: ChannelDto[];
  agentNames: ReadonlyMap<number, string>;
}) {
  return (
    <DataTable
      data={channels}
      columns={columnsFor(agentNames)}
      getRowId={(channel) => String(channel.id)}
      testId="channels"
      label="Channels"
      rowData={(channel) => ({
        'data-testid': 'channel-row',
        'data-channel-id': channel.id,
        'data-enabled': channel.enabled,
      })}
      empty={
        <Empty testId="channels-empty">
          No channels yet. Add one to hear about failed runs, spent budgets and a machine in trouble.
        </Empty>
      }
    />
  );
}
