import {
  channelListResponseSchema,
  channelResponseSchema,
  createChannelSchema,
} from '@/lib/contracts/notifications';
import { appSecretBox } from '@/lib/db/secretBox';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';
import { assertAgentsExist, createChannel, listChannels } from '@/lib/notifications/channels';

export const dynamic = 'force-dynamic';

export const GET = route(
  { doc: { summary: 'List the channels', response: channelListResponseSchema } },
  async () => json({ channels: await listChannels(getStore()) }),
);

/** A webhook's answer carries its `whsec_` signing secret, this once. */
export const POST = route(
  {
    body: createChannelSchema,
    doc: { summary: 'Create a channel', status: 201, response: channelResponseSchema },
  },
  async ({ body }) => {
    await assertAgentsExist(getStore(), body.agentIds);
    return json(await createChannel(getStore(), appSecretBox(), body), 201);
  },
);
