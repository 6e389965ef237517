import type { ChannelDto } from '@/lib/contracts/notifications';

/** Where a channel sends, as the list shows it (secrets only ever in their masked form). */
export function channelTarget(channel: ChannelDto): string {
  switch (channel.type) {
    case 'webhook':
    case 'ntfy':
      return channel.url;
    case 'slack':
    case 'discord':
      return `webhook ${channel.url}`;
    case 'email':
      return channel.to.join(', ');
  }
}

/** "all agents", or the names of the ones it is limited to. */
export function channelAgents(channel: ChannelDto, agentNames: ReadonlyMap<number, string>): string {
  if (channel.agentIds === null) return 'all agents';
  return channel.agentIds.map((id) => agentNames.get(id) ?? `#${id} (deleted)`).join(', ');
}
