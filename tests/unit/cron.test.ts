import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import {
  CompiledCron,
  cronExpressionIssue,
  describeCron,
  localTimeZone,
  nextRuns,
  normalizeTimeZone,
  timeZoneIssue,
} from '../../src/lib/scheduling/cron';
import { createScheduleBodySchema, schedulePreviewSchema } from '../../src/lib/scheduling/validation';
import { offsetSpanAt } from '../../src/lib/scheduling/zoneOffsets';
import { seededRandom } from '../helpers/seededRandom';

const iso = (ms: number) => new Date(ms).toISOString();
const slots = (expression: string, zone: string, fromIso: string, count: number) =>
  nextRuns(expression, zone, Date.parse(fromIso), count).map(iso);

describe('cron expressions', () => {
  it.each([
    ['*/5 * * * *'],
    ['0 30 1 * * *'],
    ['0 9 * * MON-FRI'],
    ['0 0 L * *'],
    ['0 8 * * 1#2'],
    ['@hourly'],
    ['@daily'],
    ['@weekly'],
    ['@monthly'],
    ['@yearly'],
    ['@annually'],
    ['  0   12 * * *  '],
  ])('accepts %j', (expression) => {
    expect(cronExpressionIssue(expression)).toBeNull();
  });

  it.each([
    ['', 'A cron expression is required'],
    ['@reboot', '@reboot is not supported: schedules run at times, not when the server starts'],
    [
      '@fortnightly',
      'Unknown macro @fortnightly; use @hourly, @daily, @weekly, @monthly, @yearly or five fields',
    ],
    [
      '* * * *',
      'Expected 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; got 4',
    ],
    [
      '0 0 * * * * *',
      'Expected 5 fields (minute hour day-of-month month day-of-week), or 6 with seconds first; got 7',
    ],
    ['60 * * * *', 'minute field "60": Constraint error, got value 60 expected range 0-59'],
    ['0 24 * * *', 'hour field "24": Constraint error, got value 24 expected range 0-23'],
    ['61 0 * * * *', 'second field "61": Constraint error, got value 61 expected range 0-59'],
    ['0 0 * 13 *', 'month field "13": Constraint error, got value 13 expected range 1-12'],
    ['0 0 * * 8', 'day-of-week field "8": Constraint error, got value 8 expected range 0-7'],
    ['*/0 * * * *', 'minute field "*/0": Constraint error, cannot repeat at every 0 time.'],
    ['a * * * *', 'minute field "a": Invalid characters, got value: a'],
    ['H * * * *', 'minute field: H (a hashed value) is not supported; use jitterSeconds to spread runs'],
    ['0 0 30 2 *', 'The fields do not fit together: Invalid explicit day of month definition'],
  ])('refuses %j, saying why', (expression, reason) => {
    expect(cronExpressionIssue(expression)).toBe(reason);
  });

  it('says an expression in words', () => {
    expect(describeCron('0 9 * * 1-5')).toBe('At 09:00, Monday through Friday');
    expect(describeCron('*/15 * * * * *')).toBe('Every 15 seconds');
    expect(describeCron('@daily')).toBe('At 00:00');
  });
});

describe('time zones', () => {
  it('accepts IANA zones and spells them canonically', () => {
    expect(timeZoneIssue('Europe/Berlin')).toBeNull();
    expect(timeZoneIssue('UTC')).toBeNull();
    expect(normalizeTimeZone('america/new_york')).toBe('America/New_York');
    expect(timeZoneIssue(localTimeZone())).toBeNull();
  });

  it('refuses an unknown zone, naming it', () => {
    expect(timeZoneIssue('Mars/Olympus_Mons')).toBe(
      'Unknown time zone "Mars/Olympus_Mons"; use an IANA name such as Europe/Berlin or UTC',
    );
  });

  it('the shared schema puts each error on its field, as the API and the form show it', () => {
    const result = createScheduleBodySchema.safeParse({
      agentId: 1,
      cronExpression: '0 25 * * *',
      timezone: 'Europe/Berlln',
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map(({ path, message }) => ({ path, message }))).toEqual([
      {
        path: ['cronExpression'],
        message: 'hour field "25": Constraint error, got value 25 expected range 0-23',
      },
      {
        path: ['timezone'],
        message: 'Unknown time zone "Europe/Berlln"; use an IANA name such as Europe/Berlin or UTC',
      },
    ]);
    expect(
      schedulePreviewSchema.safeParse({ cronExpression: '@daily', timezone: 'Asia/Tokyo' }).success,
    ).toBe(true);
  });
});

describe('next times', () => {
  it('counts in the schedule’s zone and returns UTC instants', () => {
    expect(slots('0 9 * * 1-5', 'Asia/Tokyo', '2026-04-30T12:00:00Z', 3)).toEqual([
      '2026-05-01T00:00:00.000Z',
      '2026-05-04T00:00:00.000Z',
      '2026-05-05T00:00:00.000Z',
    ]);
    expect(slots('*/20 * * * * *', 'UTC', '2026-05-01T00:00:00.500Z', 3)).toEqual([
      '2026-05-01T00:00:20.000Z',
      '2026-05-01T00:00:40.000Z',
      '2026-05-01T00:01:00.000Z',
    ]);
    expect(slots('0 0 L * *', 'UTC', '2028-02-01T00:00:00Z', 2)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2028-03-31T00:00:00.000Z',
    ]);
  });

  // 2026: New York springs forward on 8 March at 02:00 (EST → EDT) and falls back on 1 November
  // at 02:00 (01:00–02:00 twice); Berlin on 29 March at 02:00 and 25 October at 03:00 (02:00–03:00 twice).
  it.each([
    [
      'America/New_York',
      'gap',
      '0 30 2 * * *',
      '2026-03-07T12:00:00Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ],
    [
      'Europe/Berlin',
      'gap',
      '0 30 2 * * *',
      '2026-03-28T12:00:00Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ],
    [
      'America/New_York',
      'repeated hour',
      '0 30 1 * * *',
      '2026-10-31T12:00:00Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ],
    [
      'Europe/Berlin',
      'repeated hour',
      '0 30 2 * * *',
      '2026-10-24T12:00:00Z',
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ],
  ])(
    '%s, a slot in the %s fires once: at the end of the gap, or the first time round',
    (zone, _change, expression, from, thatNight, nextNight) => {
      expect(slots(expression, zone, from, 2)).toEqual([thatNight, nextNight]);
    },
  );

  it('stepping on from a slot inside the repeated hour does not find its second occurrence', () => {
    const first = Date.parse('2026-11-01T05:30:00Z');
    expect(iso(new CompiledCron('30 1 * * *', 'America/New_York').nextAfter(first))).toBe(
      '2026-11-02T06:30:00.000Z',
    );
  });

  it('an expression listing every hour follows real time across both changes', () => {
    expect(slots('0 * * * *', 'America/New_York', '2026-03-08T05:30:00Z', 3)).toEqual([
      '2026-03-08T06:00:00.000Z', // 01:00 EST
      '2026-03-08T07:00:00.000Z', // 03:00 EDT: no 02:00 that night
      '2026-03-08T08:00:00.000Z',
    ]);
    expect(slots('30 * * * *', 'Europe/Berlin', '2026-10-25T00:00:00Z', 3)).toEqual([
      '2026-10-25T00:30:00.000Z', // 02:30 CEST
      '2026-10-25T01:30:00.000Z', // 02:30 CET, an hour of real time later
      '2026-10-25T02:30:00.000Z',
    ]);
  });

  it('handles a zone whose clocks move by 30 minutes (where cron-parser’s own next() loops out)', () => {
    // Lord Howe: 02:00 → 01:30 on 5 April 2026, 02:00 → 02:30 on 4 October 2026.
    expect(slots('0 45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T00:00:00Z', 2)).toEqual([
      '2026-04-04T14:45:00.000Z',
      '2026-04-05T15:15:00.000Z',
    ]);
    expect(slots('15 2 * * *', 'Australia/Lord_Howe', '2026-10-03T00:00:00Z', 2)).toEqual([
      '2026-10-03T15:30:00.000Z',
      '2026-10-04T15:15:00.000Z',
    ]);
  });
});

function randomExpression(random: () => number): string {
  const pick = <T>(options: readonly T[]): T => options[Math.floor(random() * options.length)] as T;
  const value = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const field = (min: number, max: number) =>
    pick([
      '*',
      String(value(min, max)),
      `*/${value(2, Math.max(2, Math.floor((max - min) / 2)))}`,
      `${value(min, min + 2)}-${value(min + 3, max)}`,
      `${value(min, max)},${value(min, max)}`,
    ]);
  const dayOfWeek = pick([field(0, 7), `${value(0, 6)}L`, `${value(1, 5)}#${value(1, 4)}`]);
  const dayOfMonth = pick([field(1, 28), 'L']);
  return `${pick(['0', field(0, 59)])} ${field(0, 59)} ${field(0, 23)} ${dayOfMonth} ${field(1, 12)} ${dayOfWeek}`;
}

describe('agreement with cron-parser', () => {
  // cron-parser itself is the reference where it is right: away from offset changes everywhere,
  // and across them in zones with whole-hour changes, its gap slots moved to the gap's end.
  function reference(expression: string, zone: string, after: number, count: number): number[] {
    const parsed = CronExpressionParser.parse(expression, { tz: zone, currentDate: new Date(after) });
    const listedHours = new Set<number>(parsed.fields.hour.values);
    const found: number[] = [];
    while (found.length < count) {
      const date = parsed.next();
      const slot = listedHours.has(date.getHours())
        ? date.getTime()
        : offsetSpanAt(zone, date.getTime() - 86_400_000).until;
      if (slot > (found.at(-1) ?? after)) found.push(slot);
    }
    return found;
  }

  it('gives the same next times over random expressions, zones and instants, DST changes included', () => {
    const random = seededRandom(0x5eed);
    const zones = ['UTC', 'America/New_York', 'Europe/Berlin', 'Asia/Kolkata', 'America/Los_Angeles'];
    const changes = [
      '2026-03-08T07:00:00Z',
      '2026-11-01T06:00:00Z',
      '2026-03-29T01:00:00Z',
      '2026-10-25T01:00:00Z',
    ];
    let compared = 0;
    for (let i = 0; compared < 600; i++) {
      const expression = randomExpression(random);
      // The generator can write what cron-parser refuses (e.g. "8,8"): those never reach compileCron.
      if (cronExpressionIssue(expression)) continue;
      compared += 1;
      const zone = zones[i % zones.length] ?? 'UTC';
      const nearChange =
        Date.parse(changes[i % changes.length] ?? '') - Math.floor(random() * 3 * 86_400_000);
      const anywhere = Date.UTC(2026, 0, 1) + Math.floor(random() * 365 * 86_400) * 1_000;
      const after = i % 2 === 0 ? nearChange : anywhere;
      const ours = new CompiledCron(expression, zone).nextSlots(after, 8).map(iso);
      expect({ expression, zone, after: iso(after), next: ours }).toEqual({
        expression,
        zone,
        after: iso(after),
        next: reference(expression, zone, after, 8).map(iso),
      });
    }
  }, 60_000);
});
