import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCompactCount,
  formatCount,
  formatDateTime,
  formatDay,
  formatDuration,
  formatFullDateTime,
  formatMessageTime,
  formatOffset,
  formatPercent,
  formatRelative,
  formatTimeOfDay,
  formatUsd,
  formatUsdExact,
  formatUtcDay,
  formatWhen,
  isTimeZone,
} from '../../src/lib/presentation/format';

describe('money', () => {
  it.each([
    [0, '$0'],
    [0.01, '$0.01'],
    [0.04485, '$0.04'],
    [0.046167, '$0.05'],
    [1, '$1.00'],
    [1234.5, '$1,234.50'],
    [0.004485, '$0.004485'],
    [0.0044851, '$0.004485'],
    [0.0045, '$0.0045'],
    [0.000001, '$0.000001'],
    [0.00012346, '$0.0001235'],
    [0.00999, '$0.00999'],
    [-0.5, '-$0.50'],
  ])('%s dollars read %s', (usd, text) => {
    expect(formatUsd(usd)).toBe(text);
  });

  it('gives the micro-dollar figure for a tooltip', () => {
    expect(formatUsdExact(0.060015)).toBe('$0.060015');
    expect(formatUsdExact(0)).toBe('$0.000000');
  });
});

describe('counts', () => {
  it('groups thousands, and shortens where room is tight', () => {
    expect(formatCount(15_119)).toBe('15,119');
    expect(formatCompactCount(950)).toBe('950');
    expect(formatCompactCount(15_119)).toBe('15k');
    expect(formatCompactCount(1_500)).toBe('1.5k');
    expect(formatCompactCount(2_400_000)).toBe('2.4M');
  });
});

describe('durations, sizes and shares', () => {
  it.each([
    [null, '—'],
    [850, '850 ms'],
    [3_400, '3.4 s'],
    [125_000, '2 m 05 s'],
    [3_720_000, '1 h 02 m'],
    [50 * 3_600_000, '2 d 02 h'],
  ])('%s ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('offsets a moment from its run start', () => {
    expect(formatOffset(1_200, 0)).toBe('+1.2 s');
    expect(formatOffset(125_000, 0)).toBe('+2 m 05 s');
  });

  it('prints binary sizes and percentages', () => {
    expect(formatBytes(1_610_612_736)).toBe('1.50 GiB');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatPercent(0.425)).toBe('43%');
    expect(formatPercent(0.045)).toBe('4.5%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.912, 1)).toBe('91.2%');
    expect(formatPercent(0.8, 1)).toBe('80%');
  });
});

describe('dates', () => {
  const now = Date.UTC(2026, 11, 4, 12, 0, 0);
  const utc = { timeZone: 'UTC', now };

  it('adds the year only for another year', () => {
    expect(formatDay(Date.UTC(2026, 10, 25, 14, 3, 7), utc)).toBe('Nov 25');
    expect(formatDay(Date.UTC(2025, 10, 25, 14, 3, 7), utc)).toBe('Nov 25, 2025');
    expect(formatDateTime(Date.UTC(2026, 10, 25, 14, 3, 7), utc)).toBe('Nov 25, 14:03');
    expect(formatDateTime(Date.UTC(2025, 10, 25, 14, 3, 7), { ...utc, seconds: true })).toBe(
      'Nov 25, 2025, 14:03:07',
    );
    expect(formatUtcDay('2025-12-31', now)).toBe('Dec 31, 2025');
  });

  it('reads a moment on the clocks of its zone, daylight saving included', () => {
    const summer = Date.UTC(2026, 6, 1, 12, 0, 0);
    const winter = Date.UTC(2026, 0, 15, 12, 0, 0);
    expect(formatTimeOfDay(summer, 'Europe/Berlin')).toBe('14:00');
    expect(formatTimeOfDay(winter, 'Europe/Berlin')).toBe('13:00');
    expect(formatFullDateTime(summer, 'Europe/Berlin')).toBe('Wed, Jul 1, 2026, 14:00:00 UTC+2');
    expect(formatFullDateTime(winter, 'Asia/Kolkata')).toBe('Thu, Jan 15, 2026, 17:30:00 UTC+5:30');
    expect(formatFullDateTime(winter, 'America/New_York')).toBe('Thu, Jan 15, 2026, 07:00:00 UTC-5');
    // The year turns on the zone's clock, not UTC's.
    expect(formatDay(Date.UTC(2026, 11, 31, 23, 30), { timeZone: 'Asia/Tokyo', now })).toBe('Jan 1, 2027');
  });

  it('says recent moments relative to now, older ones as a date', () => {
    expect(formatRelative(now - 2_000, now)).toBe('just now');
    expect(formatRelative(now - 42_000, now)).toBe('42 s ago');
    expect(formatRelative(now - 5 * 60_000, now)).toBe('5 min ago');
    expect(formatRelative(now + 5 * 60_000, now)).toBe('in 5 min');
    expect(formatRelative(now - 3 * 3_600_000, now)).toBe('3 h ago');
    expect(formatWhen(now - 3 * 3_600_000, utc)).toBe('3 h ago');
    expect(formatWhen(now - 3 * 86_400_000, utc)).toBe('Dec 1, 12:00');
  });

  it('keeps the fixed form of outgoing messages', () => {
    expect(formatMessageTime(Date.UTC(2026, 10, 25, 14, 3, 7))).toBe('2026-11-25 14:03:07 UTC');
  });

  it('knows the zones the runtime knows', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
