import { settingsResponseSchema, updateSettingsSchema } from '@/lib/contracts/settings';
import { execute } from '@/lib/db/plan';
import { readAppSettings, updateAppSettings } from '@/lib/db/queries/settings';
import { getStore } from '@/lib/db/store';
import { json, route } from '@/lib/http/route';
import { getRuntime } from '@/lib/server/runtime';

export const dynamic = 'force-dynamic';

/** The settings in use, and each stored value that could not be used (with what is used instead). */
export const GET = route(
  { doc: { summary: 'The settings in use', response: settingsResponseSchema } },
  async () => {
    const store = getStore();
    return json(await execute(store, readAppSettings(store)));
  },
);

/** Writes only the settings given (each checked by its own rule); the answer is as GET's. */
export const PATCH = route(
  { body: updateSettingsSchema, doc: { summary: 'Change some settings', response: settingsResponseSchema } },
  async ({ body }) => {
    const store = getStore();
    const stored = await execute(store, updateAppSettings(store, body));
    // A higher limit lets waiting runs start now; a new metrics interval applies from the next sample.
    getRuntime()?.backend.settingsChanged(stored.settings);
    return json(stored);
  },
);
