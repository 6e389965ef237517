/**
 * Formatters for figures on the pages and in notification messages. Locale and time zone are
 * fixed (en-US digits, UTC unless asked for local time), so the server's HTML and the browser's
 * first render always agree.
 */

import type { ExecutionSummary } from '../contracts/executions';
import type { MetricUnit } from '../contracts/metrics';
import { offsetAt } from '../scheduling/zoneOffsets';

const integerFormat = new Intl.NumberFormat('en-US');

export function formatTokens(count: number): string {
  return integerFormat.format(count);
}

/** Dollars with a fixed number of decimals: a run costs fractions of a cent. */
export function formatUsd(usd: number, decimals = 4): string {
  return `$${usd.toFixed(decimals)}`;
}

/** To the micro-dollar, the unit costs are stored in: for breakdowns that must match the bill exactly. */
export function formatExactUsd(usd: number): string {
  return formatUsd(usd, 6);
}

/** Totals: cents once they reach a dollar, four decimals below. */
export function formatSpend(usd: number): string {
  return formatUsd(usd, usd >= 1 ? 2 : 4);
}

const pad2 = (value: number): string => String(value).padStart(2, '0');

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const clamped = Math.max(0, ms);
  if (clamped < 1_000) return `${Math.round(clamped)} ms`;
  if (clamped < 60_000) return `${(clamped / 1_000).toFixed(1)} s`;
  const seconds = Math.floor(clamped / 1_000);
  const hours = Math.floor(seconds / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  return hours > 0 ? `${hours} h ${pad2(minutes)} m` : `${minutes} m ${pad2(seconds % 60)} s`;
}

/** `2026-11-25 14:03:07` from a Date's UTC or local fields. */
function dateTimeText(d: Date, utc: boolean): string {
  const date = `${utc ? d.getUTCFullYear() : d.getFullYear()}-${pad2((utc ? d.getUTCMonth() : d.getMonth()) + 1)}-${pad2(utc ? d.getUTCDate() : d.getDate())}`;
  const time = `${pad2(utc ? d.getUTCHours() : d.getHours())}:${pad2(utc ? d.getUTCMinutes() : d.getMinutes())}:${pad2(utc ? d.getUTCSeconds() : d.getSeconds())}`;
  return `${date} ${time}`;
}

/** `2026-11-25 14:03:07`, in UTC (with the suffix) or in the browser's zone. */
export function formatDateTime(epochMs: number, zone: 'utc' | 'local'): string {
  const text = dateTimeText(new Date(epochMs), zone === 'utc');
  return zone === 'utc' ? `${text} UTC` : text;
}

/** `2026-11-25 14:03:07` as the clocks of an IANA zone show it (a schedule's own zone). */
export function formatZonedDateTime(epochMs: number, timeZone: string): string {
  return dateTimeText(new Date(epochMs + offsetAt(timeZone, epochMs)), true);
}

/** Offset of a step from the start of its run: `+1.2 s`. */
export function formatOffset(epochMs: number, baseMs: number): string {
  return `+${((epochMs - baseMs) / 1_000).toFixed(1)} s`;
}

/** A run's cost; a dash while it runs, since the figure is only known once the run ends. */
export function formatRunCost(usd: number, running: boolean): string {
  return running && usd === 0 ? '—' : formatUsd(usd);
}

/** What started a run, as the pages say it: 'schedule #3'. */
export function triggerLabel(
  execution: Pick<ExecutionSummary, 'trigger' | 'scheduleId' | 'workflowRunId' | 'workflowStepKey'>,
): string {
  if (execution.trigger === 'schedule' && execution.scheduleId !== null)
    return `schedule #${execution.scheduleId}`;
  if (execution.trigger === 'workflow' && execution.workflowRunId !== null) {
    return `workflow run #${execution.workflowRunId} · ${execution.workflowStepKey ?? 'step'}`;
  }
  return execution.trigger;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `1.5 GiB`: binary units, as `free -h` and `df -h` print them. */
export function formatBytes(bytes: number): string {
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${bytes < 0 ? '-' : ''}${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** A share 0–1 as a percentage: `42.5%`. */
export function formatPercent(ratio: number): string {
  const percent = ratio * 100;
  return `${percent.toFixed(percent !== 0 && Math.abs(percent) < 10 ? 1 : 0)}%`;
}

/** A host metric's value in its unit (see HOST_METRICS in the metrics contract). */
export function formatMetric(value: number, unit: MetricUnit): string {
  switch (unit) {
    case 'ratio':
      return formatPercent(value);
    case 'load':
      return value.toFixed(2);
    case 'bytes':
      return formatBytes(value);
    case 'bytes_per_second':
      return `${formatBytes(value)}/s`;
  }
}
