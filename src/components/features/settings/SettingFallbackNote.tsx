import type { SettingFallback } from '@/lib/contracts/settings';
import styles from './SettingFallbackNote.module.css';

/** Longer stored values (a whole JSON blob written by hand) are cut for the note. */
const MAX_SHOWN = 80;

/** Under a setting whose stored value cannot be used: what is stored, why not, and what is used. */
export function SettingFallbackNote({ fallback }: { fallback: SettingFallback | undefined }) {
  if (!fallback) return null;
  const { field, stored, used, problem } = fallback;
  const shown = stored.length > MAX_SHOWN ? `${stored.slice(0, MAX_SHOWN)}…` : stored;
  return (
    <p className={styles.note} role="status" data-testid={`settings-fallback-${field}`}>
      Stored as <code className={styles.stored}>{shown}</code>, which cannot be used ({problem}): the default,{' '}
      <strong>{used === null ? 'none' : used}</strong>, is used until you save this setting.
    </p>
  );
}
