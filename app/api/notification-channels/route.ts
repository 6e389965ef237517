import {
  channelListResponseSchema,
  channelResponseSchema,
  createChannelSchema,
} from '@/lib/contracts/notifications';
import { getDb } from '@/lib/db';
import { appSecretBox } from '@/lib/db/secretBox';
import { json, route } from '@/lib/http/route';
import { assertAgentsExist, createChannel, listChannels } from '@/lib/notifications/channels';

export const dynamic = 'force-dynamic';

export const GET = route({ doc: { summary: 'List the channels', response: channelListResponseSchema } }, () =>
  json({ channels: listChannels(getDb()) }),
);

/** A webhook's answer carries its `whsec_` signing secret, this once. */
export const POST = route(
  {
    body: createChannelSchema,
    doc: { summary: 'Create a channel', status: 201, response: channelResponseSchema },
  },
  ({ body }) => {
    const db = getDb();
    assertAgentsExist(db, body.agentIds);
    return json(createChannel(db, appSecretBox(), body), 201);
  },
);
