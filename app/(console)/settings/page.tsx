import type { Metadata } from 'next';
import { SettingsForm } from '@/components/features/settings/SettingsForm';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';
import { getDb } from '@/lib/db';
import { readAppSettings } from '@/lib/db/queries/settings';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Settings' };

export default function SettingsPage() {
  const { settings, fallbacks } = readAppSettings(getDb());
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
