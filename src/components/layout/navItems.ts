/** The console's sections, in the nav's order, with the key that goes there after `g`. */
export interface NavItem {
  href: string;
  label: string;
  testId: string;
  /** `g` then this key goes here. */
  key: string;
  /** Other paths that belong to this section (a run's page is under Runs). */
  also?: readonly string[];
  /** Shows the number of tool calls waiting for a person beside the label. */
  pendingApprovals?: true;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { href: '/runs', label: 'Runs', testId: 'nav-runs', key: 'r', also: ['/executions'] },
  { href: '/approvals', label: 'Approvals', testId: 'nav-approvals', key: 'p', pendingApprovals: true },
  { href: '/', label: 'Dashboard', testId: 'nav-dashboard', key: 'd' },
  { href: '/agents', label: 'Agents', testId: 'nav-agents', key: 'a' },
  { href: '/workflows', label: 'Workflows', testId: 'nav-workflows', key: 'w', also: ['/workflow-runs'] },
  { href: '/schedules', label: 'Schedules', testId: 'nav-schedules', key: 's' },
  { href: '/health', label: 'Health', testId: 'nav-health', key: 'h' },
  { href: '/costs', label: 'Costs', testId: 'nav-costs', key: 'c' },
  { href: '/system', label: 'System', testId: 'nav-system', key: 'm' },
  { href: '/workers', label: 'Workers', testId: 'nav-workers', key: 'k' },
  { href: '/notifications', label: 'Notifications', testId: 'nav-notifications', key: 'n' },
  { href: '/settings', label: 'Settings', testId: 'nav-settings', key: 'e' },
];

const within = (pathname: string, base: string) =>
  base === '/' ? pathname === '/' : pathname === base || pathname.startsWith(`${base}/`);

/** The section a path belongs to, if any. */
export function sectionOf(pathname: string): NavItem | undefined {
  return NAV_ITEMS.find((item) => [item.href, ...(item.also ?? [])].some((base) => within(pathname, base)));
}
