import type { Metadata } from 'next';
import { SettingsForm } from '@/components/features/settings/SettingsForm';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { execute } from '@/lib/db/plan';
import { readAppSettings } from '@/lib/db/queries/settings';
import { getStore } from '@/lib/db/store';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const store = getStore();
  const { settings, fallbacks } = await execute(store, readAppSettings(store));
  return (
    <>
      <PageHeader
        title="Settings"
        description="How this server runs agents, watches the machine and sends notifications. Changes apply at once."
      />
      <Panel>
        <SettingsForm settings={settings} fallbacks={fallbacks} />
      </Panel>
    </>
  );
}
