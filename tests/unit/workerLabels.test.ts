import { describe, expect, it } from 'vitest';
import { hasLabels, labelWaitReason, requiredLabelsSchema } from '../../src/lib/contracts/workers';

describe('worker labels', () => {
  it.each([
    [[], [], true],
    [['repo-a'], [], true],
    [['repo-a', 'gpu'], ['gpu', 'repo-a'], true],
    [['repo-a'], ['gpu'], false],
    [['repo-a'], ['repo-a', 'gpu'], false],
    // Exact match: no case folding, no prefixes.
    [['GPU'], ['gpu'], false],
    [['repo-ab'], ['repo-a'], false],
  ])('a worker with %j may run an agent requiring %j: %s', (labels, required, expected) => {
    expect(hasLabels(labels, required)).toBe(expected);
  });

  it('names every label the agent requires when the worker lacks any', () => {
    expect(labelWaitReason(['gpu', 'repo-a'], ['repo-a'])).toBe(
      'waiting for a worker with labels gpu, repo-a',
    );
    expect(labelWaitReason(['gpu'], ['gpu', 'repo-a'])).toBeNull();
    expect(labelWaitReason([], [])).toBeNull();
  });

  it.each([
    [[''], '0', 'A label is not empty'],
    [['repo a'], '0', 'No spaces or commas'],
    [['a,b'], '0', 'No spaces or commas'],
    [['ok', 'x'.repeat(65)], '1', 'At most 64 characters'],
    [['ok', 'bad\u001b[2J'], '1', 'invisible character U+001B'],
  ])('refuses required labels %j at index %s: %s', (labels, index, message) => {
    const parsed = requiredLabelsSchema.safeParse(labels);
    expect(parsed.success).toBe(false);
    const issue = parsed.error?.issues[0];
    expect(issue?.path.join('.')).toBe(index);
    expect(issue?.message).toContain(message);
  });

  it('refuses a label listed twice, and more than 20', () => {
    expect(requiredLabelsSchema.safeParse(['gpu', 'gpu']).error?.issues[0]?.message).toBe(
      'A label is listed twice',
    );
    const many = Array.from({ length: 21 }, (_, index) => `l${index}`);
    expect(requiredLabelsSchema.safeParse(many).error?.issues[0]?.message).toBe('At most 20 labels');
    expect(requiredLabelsSchema.parse(['gpu', 'repo-a'])).toEqual(['gpu', 'repo-a']);
  });
});
