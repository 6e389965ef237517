import Link from 'next/link';
import type { ChannelDto } from '@/lib/contracts/notifications';
import { ChannelEnabledButton } from './ChannelEnabledButton';
import { CHANNEL_TYPE_LABELS } from './channelFormModel';
import { channelAgents, channelTarget } from './channelText';
import { SendTestButton } from './SendTestButton';

/** Every channel: where it sends, what it wants, and the buttons to test, pause and edit it. */
export function ChannelTable({
  channels,
  agentNames,
}: {
  channels: ChannelDto[];
  agentNames: ReadonlyMap<number, string>;
}) {
  if (channels.length === 0) {
    return (
      <p className="empty" data-testid="channels-empty">
        No channels yet. Add one to hear about failed runs, spent budgets and a machine in trouble.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" data-testid="channels">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Sends to</th>
            <th scope="col">Events</th>
            <th scope="col">Agents</th>
            <th scope="col" className="actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {channels.map((channel) => (
            <tr
              key={channel.id}
              data-testid="channel-row"
              data-channel-id={channel.id}
              data-enabled={channel.enabled}
            >
              <td>
                <Link href={`/notifications/${channel.id}`} data-testid="channel-name">
                  {channel.name}
                </Link>
                {channel.enabled ? null : <span className="tag">disabled</span>}
              </td>
              <td>{CHANNEL_TYPE_LABELS[channel.type]}</td>
              <td className="mono small channel-target">{channelTarget(channel)}</td>
              <td title={channel.events.join(', ')}>
                {channel.events.length === 1 ? channel.events[0] : `${channel.events.length} events`}
              </td>
              <td>{channelAgents(channel, agentNames)}</td>
              <td className="actions">
                <span className="row-actions">
                  <SendTestButton channelId={channel.id} />
                  <ChannelEnabledButton channelId={channel.id} enabled={channel.enabled} />
                  <Link href={`/notifications/${channel.id}`} className="button button-small">
                    Edit
                  </Link>
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
