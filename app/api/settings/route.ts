import { updateSettingsSchema } from '@/lib/contracts/settings';
import { getDb } from '@/lib/db';
import { readAppSettings, updateAppSettings } from '@/lib/db/queries/settings';
import { json, route } from '@/lib/http/route';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** The settings in use, and each stored value that could not be used (with what is used instead). */
export const GET = route({}, () => json(readAppSettings(getDb())));

/** Writes only the settings given (each checked by its own rule); the answer is as GET's. */
export const PATCH = route({ body: updateSettingsSchema }, ({ body }) => {
  const stored = updateAppSettings(getDb(), body);
  // A higher limit lets waiting runs start now; a new metrics interval applies from the next sample.
  getRuntime()?.backend.settingsChanged(stored.settings);
  return json(stored);
});
