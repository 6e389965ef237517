import { describe, expect, it } from 'vitest';
import { NOTIFY_PAYLOAD_LIMIT_BYTES } from '../../src/lib/db/postgresListener';
import { decodePositions, encodePositions, type Position } from '../../src/lib/live/announcements';
import { decodeControl } from '../../src/lib/live/control';

describe('live announcements on NOTIFY', () => {
  it('announces one commit in one payload, and a commit of many runs in payloads that each fit under 8000 bytes', () => {
    const few: Position[] = [
      { e: 1, seq: 40, step: 38 },
      { e: 2, seq: 7, status: 'completed' },
    ];
    expect(encodePositions(few)).toEqual([
      '{"runs":[{"e":1,"seq":40,"step":38},{"e":2,"seq":7,"status":"completed"}]}',
    ]);

    const many = Array.from({ length: 1_000 }, (_, i) => ({
      e: 1_000_000 + i,
      seq: 9_000_000 + i,
      step: 8_000_000 + i,
    }));
    const payloads = encodePositions(many);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads)
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(NOTIFY_PAYLOAD_LIMIT_BYTES);
    expect(payloads.flatMap(decodePositions)).toEqual(many);
  });

  it('refuses payloads that are not positions, stop requests or answer notices', () => {
    expect(() => decodePositions('{"runs":[]}')).toThrow();
    expect(() => decodePositions('{"runs":[{"e":1,"seq":"3"}]}')).toThrow();
    expect(() => decodePositions('not json')).toThrow();
    expect(() =>
      decodeControl('{"type":"stop","executionId":1,"workerId":"w","reason":"because","message":null}'),
    ).toThrow();
    expect(
      decodeControl('{"type":"stop","executionId":1,"workerId":"w","reason":"budget","message":"over"}'),
    ).toEqual({
      type: 'stop',
      executionId: 1,
      workerId: 'w',
      reason: 'budget',
      message: 'over',
    });
    expect(decodeControl('{"type":"answered","executionId":2,"approvalId":5,"workerId":"w"}')).toEqual({
      type: 'answered',
      executionId: 2,
      approvalId: 5,
      workerId: 'w',
    });
    expect(() => decodeControl('{"type":"answered","executionId":2,"workerId":"w"}')).toThrow();
    expect(() => decodeControl('{"type":"resume","executionId":2,"workerId":"w"}')).toThrow();
  });
});
