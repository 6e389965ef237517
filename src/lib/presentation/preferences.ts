/**
 * The reader's display preferences, kept in cookies so the server renders the first paint with
 * them (no flash of the wrong theme, times already in the reader's zone). Shared by the root
 * layout, which reads them, and the browser, which writes them.
 */

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export const THEME_COOKIE = 'claudeops-theme';
export const TIME_ZONE_COOKIE = 'claudeops-tz';

/** What a missing or unknown cookie means: follow the system. */
export function parseTheme(value: string | undefined): Theme {
  return THEMES.find((theme) => theme === value) ?? 'system';
}

/** Until the browser told us its zone, times render in UTC (and say so on hover). */
export const DEFAULT_TIME_ZONE = 'UTC';

const ONE_YEAR_S = 365 * 24 * 3_600;

/** A preference kept for a year, on this site only (read back by the server on the next page). */
export function savePreference(name: string, value: string): void {
  // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is not in every browser yet; one small cookie, no parsing.
  document.cookie = `${name}=${encodeURIComponent(value)}; Path=/; Max-Age=${ONE_YEAR_S}; SameSite=Lax`;
}
