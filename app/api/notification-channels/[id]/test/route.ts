import { env } from '@/lib/config/env';
import { testResponseSchema } from '@/lib/contracts/notifications';
import { appSecretBox } from '@/lib/db/secretBox';
import { getStore } from '@/lib/db/store';
import { idParam, json, route } from '@/lib/http/route';
import { sendTestMessage } from '@/lib/notifications/testMessage';

export const dynamic = 'force-dynamic';

/**
 * Sends a test message through the channel now and answers how it went. Its link points to the
 * public URL, else to where the person reached this server: the Host header, which the gate in
 * server.ts has checked against the allowed names (the server speaks plain http behind any proxy;
 * Next's own request.url carries its configured port, not the listening one).
 */
export const POST = route(
  {
    params: idParam,
    doc: { summary: 'Send a test message through the channel now', response: testResponseSchema },
  },
  async ({ params, request }) => {
    const baseUrl = env().publicUrl?.origin ?? `http://${request.headers.get('host')}`;
    const result = await sendTestMessage(getStore(), appSecretBox(), params.id, { baseUrl });
    return json({ result });
  },
);
