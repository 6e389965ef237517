import { getDb } from '@/lib/db';
import { appSecretBox } from '@/lib/db/secretBox';
import { env } from '@/lib/env';
import { idParam, json, route } from '@/lib/http/route';
import { sendTestMessage } from '@/lib/notifications/testMessage';

export const dynamic = 'force-dynamic';

/**
 * Sends a test message through the channel now and answers how it went. Its link points where the
 * worker's do: the public URL, else the address this request reached (which passed the Host check).
 */
export const POST = route({ params: idParam }, async ({ params, request }) => {
  const baseUrl = env().publicUrl?.origin ?? new URL(request.url).origin;
  const result = await sendTestMessage(getDb(), appSecretBox(), params.id, { baseUrl });
  return json({ result });
});
