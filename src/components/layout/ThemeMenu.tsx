'use client';

import { useState } from 'react';
import { ChoiceMenu } from '@/components/ui/Menu';
import { savePreference, THEME_COOKIE, type Theme } from '@/lib/presentation/preferences';
import styles from './ConsoleShell.module.css';

const LABELS: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' };
const ICONS: Record<Theme, string> = { system: '◐', light: '☀', dark: '☾' };

/**
 * Light, dark, or the system's: applied at once on `<html>`, and kept in a cookie so the server
 * renders the next page in it (no flash).
 */
export function ThemeMenu({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  const choose = (next: Theme) => {
    setTheme(next);
    if (next === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = next;
    savePreference(THEME_COOKIE, next);
  };
  return (
    <ChoiceMenu
      label="Theme"
      value={theme}
      onChange={choose}
      testId="theme-menu"
      choices={(['system', 'light', 'dark'] as const).map((value) => ({
        value,
        label: LABELS[value],
        testId: `theme-${value}`,
      }))}
      trigger={
        <button
          type="button"
          className={styles.toolButton}
          data-testid="theme-toggle"
          data-theme-choice={theme}
          aria-label={`Theme: ${LABELS[theme]}`}
        >
          <span aria-hidden="true">{ICONS[theme]}</span>
          <span className={styles.toolLabel}>{LABELS[theme]}</span>
        </button>
      }
    />
  );
}
