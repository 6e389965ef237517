import { createChannelSchema } from '@/lib/contracts/notifications';
import { getDb } from '@/lib/db';
import { appSecretBox } from '@/lib/db/secretBox';
import { json, route } from '@/lib/http/route';
import { assertAgentsExist, createChannel, listChannels } from '@/lib/notifications/channels';

export const dynamic = 'force-dynamic';

export const GET = route({}, () => json({ channels: listChannels(getDb()) }));

/** A webhook's answer carries its `whsec_` signing secret, this once. */
export const POST = route({ body: createChannelSchema }, ({ body }) => {
  const db = getDb();
  assertAgentsExist(db, body.agentIds);
  return json(createChannel(db, appSecretBox(), body), 201);
});
