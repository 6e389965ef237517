'use client';

import { useState } from 'react';
import { ActionError } from '@/components/ui/FormParts';
import { scheduleResponseSchema } from '@/lib/contracts/schedules';
import { apiFetch, errorMessage } from '@/lib/http/client';
import styles from './Health.module.css';

/** The one switch for the reporter's built-in hourly schedule (paused on a fresh install: runs cost money). */
export function HealthScheduleSwitch({
  scheduleId,
  initialEnabled,
}: {
  scheduleId: number;
  initialEnabled: boolean;
}) {
  const [enabled, setEnabled] = useState(initialEnabled);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // The switch moves at once and goes back if the server refuses.
  const toggle = async () => {
    const wanted = !enabled;
    setEnabled(wanted);
    setSaving(true);
    setError(null);
    try {
      const { schedule } = await apiFetch(`/api/schedules/${scheduleId}`, {
        method: 'PATCH',
        body: { enabled: wanted },
        schema: scheduleResponseSchema,
      });
      setEnabled(schedule.enabled);
    } catch (caught) {
      setEnabled(!wanted);
      setError(errorMessage(caught));
    } finally {
      setSaving(false);
    }
  };

  return (
    <label className={styles.switch} data-testid="health-schedule-switch" data-enabled={enabled}>
      <input type="checkbox" checked={enabled} disabled={saving} onChange={toggle} />
      {/* Worded as what checking it does; the state is the box itself. */}
      <span>Report every hour</span>
      <ActionError error={error} />
    </label>
  );
}
