import type { Metadata } from 'next';
import { SettingsForm } from '@/components/features/settings/SettingsForm';
import { getDb } from '@/lib/db';
import { readAppSettings } from '@/lib/db/queries/settings';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Settings' };

export default function SettingsPage() {
  const { settings, fallbacks } = readAppSettings(getDb());
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <section className="panel">
        <SettingsForm settings={settings} fallbacks={fallbacks} />
      </section>
    </>
  );
}
