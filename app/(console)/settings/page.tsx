import type { Metadata } from 'next';
import { SettingsForm } from '@/components/features/settings/SettingsForm';
import { getDb } from '@/lib/db';
import { getAppSettings } from '@/lib/db/queries/settings';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Settings' };

export default function SettingsPage() {
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <section className="panel">
        <SettingsForm settings={getAppSettings(getDb())} />
      </section>
    </>
  );
}
