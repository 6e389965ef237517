import { updateSettingsSchema } from '@/lib/contracts/settings';
import { getDb } from '@/lib/db';
import { getAppSettings, updateAppSettings } from '@/lib/db/queries/settings';
import { json, route } from '@/lib/http/route';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

export const GET = route({}, () => json({ settings: getAppSettings(getDb()) }));

export const PATCH = route({ body: updateSettingsSchema }, ({ body }) => {
  const settings = updateAppSettings(getDb(), body);
  // A higher limit lets waiting runs start now; a new metrics interval applies from the next sample.
  getRuntime()?.backend.settingsChanged(settings);
  return json({ settings });
});
