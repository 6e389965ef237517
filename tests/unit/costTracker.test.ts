import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { liveCostRecords, reconcileCostRecords } from '../../src/lib/claude/costTracker';
import type { ModelTokenUsage } from '../../src/lib/claude/usage';

const AT = Date.parse('2026-11-20T12:00:00Z');
const SONNET = 'claude-sonnet-4-5';
const HAIKU = 'claude-haiku-4-5';

function response(model: string, usage: Partial<ModelTokenUsage> = {}): ModelTokenUsage {
  return {
    model,
    inputTokens: 0,
    outputTokens: 0,
    cacheCreation5mTokens: 0,
    cacheCreation1hTokens: 0,
    cacheReadTokens: 0,
    ...usage,
  };
}

interface ReportedUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheCreationInputTokens?: number;
  cacheCreationEphemeral1hInputTokens?: number;
  costUSD: number;
}

/** A result message with only the fields the reconciliation reads. */
function result(modelUsage: Record<string, ReportedUsage>): SDKResultMessage {
  const filled = Object.fromEntries(
    Object.entries(modelUsage).map(([model, u]) => [
      model,
      {
        inputTokens: 0,
        outputTokens: 0,
        cacheReadInputTokens: 0,
        cacheCreationInputTokens: 0,
        webSearchRequests: 0,
        contextWindow: 200_000,
        maxOutputTokens: 32_000,
        ...u,
      },
    ]),
  );
  return {
    type: 'result',
    subtype: 'success',
    num_turns: 1,
    modelUsage: filled,
  } as unknown as SDKResultMessage;
}

// Published list prices, $/MTok = µ$/token: Sonnet 4.5 3 / 15 / 3.75 (5m) / 6 (1h) / 0.30 (read);
// its >200k-token tier 6 / 22.50; Haiku 4.5 1 / 5.
describe('liveCostRecords', () => {
  it('prices each response on its own: one long-context request does not lift the others', () => {
    const rows = liveCostRecords(
      [
        response(SONNET, { inputTokens: 250_000, outputTokens: 1_000 }),
        response(SONNET, { inputTokens: 1_000, outputTokens: 100 }),
      ],
      AT,
    );
    // 250,000 × 6 + 1,000 × 22.5 = 1,522,500; then 1,000 × 3 + 100 × 15 = 4,500 at the base tier.
    expect(rows).toEqual([
      expect.objectContaining({ model: SONNET, costMicros: 1_527_000, responseCount: 2, unpriced: false }),
    ]);
  });

  it('flags a model missing from the price table instead of calling it free', () => {
    const [row] = liveCostRecords([response('claude-imaginary-9', { inputTokens: 10 })], AT);
    expect(row).toMatchObject({ model: 'claude-imaginary-9', costMicros: 0, unpriced: true });
  });
});

describe('reconcileCostRecords', () => {
  const stream = [
    response(SONNET, {
      inputTokens: 1_000,
      outputTokens: 200,
      cacheCreation5mTokens: 400,
      cacheReadTokens: 2_000,
    }),
    response(HAIKU, { inputTokens: 500, outputTokens: 50 }),
  ];
  // Sonnet: 3,000 + 3,000 + 1,500 + 600 = 8,100 µ$; Haiku: 500 + 250 = 750 µ$.

  it('keeps the stream’s figures when the result shows nothing more, with the SDK’s cost beside them', () => {
    const rows = reconcileCostRecords(
      stream,
      [
        result({
          [SONNET]: {
            inputTokens: 1_000,
            outputTokens: 200,
            cacheCreationInputTokens: 400,
            cacheReadInputTokens: 2_000,
            costUSD: 0.0081,
          },
          [HAIKU]: { inputTokens: 500, outputTokens: 50, costUSD: 0.00075 },
        }),
      ],
      AT,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        model: SONNET,
        costMicros: 8_100,
        reportedCostMicros: 8_100,
        usageSource: 'stream',
        costMismatch: false,
      }),
      expect.objectContaining({
        model: HAIKU,
        costMicros: 750,
        reportedCostMicros: 750,
        usageSource: 'stream',
        costMismatch: false,
      }),
    ]);
  });

  it('does not lose cache tokens a result reports as 0, and flags the SDK’s lower cost', () => {
    const rows = reconcileCostRecords(
      stream,
      [
        result({
          [SONNET]: { inputTokens: 1_000, outputTokens: 200, costUSD: 0.0045 },
          [HAIKU]: { inputTokens: 500, outputTokens: 50, costUSD: 0.00075 },
        }),
      ],
      AT,
    );
    expect(rows[0]).toMatchObject({
      cacheCreation5mTokens: 400,
      cacheReadTokens: 2_000,
      costMicros: 8_100,
      costMismatch: true,
    });
  });

  it('adds usage only the result saw (a subagent call the stream missed), at the base tier', () => {
    const rows = reconcileCostRecords(
      stream,
      [
        result({
          [SONNET]: {
            inputTokens: 1_000,
            outputTokens: 200,
            cacheCreationInputTokens: 400,
            cacheReadInputTokens: 2_000,
            costUSD: 0.0081,
          },
          [HAIKU]: { inputTokens: 300_500, outputTokens: 1_050, costUSD: 0.30575 },
        }),
      ],
      AT,
    );
    // 300,000 more input and 1,000 more output on Haiku: 300,000 + 5,000 µ$ on top of 750.
    expect(rows[1]).toMatchObject({
      model: HAIKU,
      inputTokens: 300_500,
      outputTokens: 1_050,
      costMicros: 305_750,
      usageSource: 'result',
      costMismatch: false,
    });
  });

  it('does not count twice a response the result books under another model than the one that answered', () => {
    const rows = reconcileCostRecords(
      stream,
      [
        result({
          [SONNET]: {
            inputTokens: 1_500,
            outputTokens: 250,
            cacheCreationInputTokens: 400,
            cacheReadInputTokens: 2_000,
            costUSD: 0.00885,
          },
        }),
      ],
      AT,
    );
    expect(rows.map((r) => [r.model, r.inputTokens, r.costMicros, r.usageSource])).toEqual([
      [SONNET, 1_000, 8_100, 'stream'],
      [HAIKU, 500, 750, 'stream'],
    ]);
    expect(rows.map((r) => r.costMismatch)).toEqual([true, true]);
  });

  it('uses the SDK’s figure for an unpriced model, marked as such', () => {
    const rows = reconcileCostRecords(
      [response('claude-imaginary-9', { inputTokens: 100 })],
      [result({ 'claude-imaginary-9': { inputTokens: 100, costUSD: 0.0123 } })],
      AT,
    );
    expect(rows[0]).toMatchObject({
      costMicros: 12_300,
      reportedCostMicros: 12_300,
      costSource: 'reported',
      unpriced: true,
    });
  });

  it('sums the results of several attempts', () => {
    const rows = reconcileCostRecords(
      [response(HAIKU, { inputTokens: 100 }), response(HAIKU, { inputTokens: 100 })],
      [
        result({ [HAIKU]: { inputTokens: 100, costUSD: 0.0001 } }),
        result({ [HAIKU]: { inputTokens: 100, costUSD: 0.0001 } }),
      ],
      AT,
    );
    expect(rows[0]).toMatchObject({
      inputTokens: 200,
      costMicros: 200,
      reportedCostMicros: 200,
      usageSource: 'stream',
    });
  });
});
