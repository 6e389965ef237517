import { channelResponseSchema, updateChannelSchema } from '@/lib/contracts/notifications';
import { appSecretBox } from '@/lib/db/secretBox';
import { getStore } from '@/lib/db/store';
import { idParam, json, route } from '@/lib/http/route';
import { assertAgentsExist, deleteChannel, getChannel, updateChannel } from '@/lib/notifications/channels';

export const dynamic = 'force-dynamic';

export const GET = route(
  { params: idParam, doc: { summary: 'One channel', response: channelResponseSchema } },
  async ({ params }) => json({ channel: await getChannel(getStore(), params.id) }),
);

/** `rotateSecret` answers with the new signing secret, this once. */
export const PATCH = route(
  {
    params: idParam,
    body: updateChannelSchema,
    doc: { summary: 'Change a channel', response: channelResponseSchema },
  },
  async ({ params, body }) => {
    await assertAgentsExist(getStore(), body.agentIds);
    return json(await updateChannel(getStore(), appSecretBox(), params.id, body));
  },
);

/** Its queued messages and delivery log go with it. */
export const DELETE = route({ params: idParam, doc: { summary: 'Delete a channel' } }, async ({ params }) => {
  await deleteChannel(getStore(), params.id);
  return new Response(null, { status: 204 });
});
