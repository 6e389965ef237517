/**
 * The `/` shortcut's link to the page's search box: a search input marks itself with
 * `data-shortcut="search"`; when the page has none, the shortcut goes to the Runs page and asks
 * its search to take the focus once it mounts.
 */
export const SEARCH_SHORTCUT_ATTRIBUTE = 'data-shortcut';

let focusRequested = false;

/** Focuses the page's search box; false when the page has none. */
export function focusPageSearch(): boolean {
  const input = document.querySelector<HTMLInputElement>(`[${SEARCH_SHORTCUT_ATTRIBUTE}="search"]`);
  if (!input) return false;
  input.focus();
  input.select();
  return true;
}

export function requestSearchFocus(): void {
  focusRequested = true;
}

/** Whether a search box that just mounted should take the focus (asked once). */
export function takeSearchFocusRequest(): boolean {
  const requested = focusRequested;
  focusRequested = false;
  return requested;
}
