import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { multiLine, singleLine } from '../../src/lib/contracts/text';

const name = singleLine(z.string().max(100));
const prompt = multiLine(z.string().max(1_000));
const messageOf = (result: z.ZodSafeParseResult<string>) => result.error?.issues[0]?.message;

describe('text fields', () => {
  it.each([
    ['NUL', 'nightly\u0000report', 'U+0000 at position 8'],
    ['ESC (a terminal escape)', 'report\u001b[31m', 'U+001B at position 7'],
    ['a right-to-left override', 'invoice\u202Egpj.exe', 'U+202E at position 8'],
    ['a bidi isolate', '\u2066admin', 'U+2066 at position 1'],
    ['a C1 control', 'next\u0085line', 'U+0085 at position 5'],
    ['a tab', 'a\tb', 'U+0009 at position 2'],
    ['a line break', 'a\nb', 'U+000A at position 2'],
  ])('a name with %s is refused, naming the character', (_what, value, where) => {
    expect(messageOf(name.safeParse(value))).toBe(
      `Contains the invisible character ${where}: use plain text on one line`,
    );
  });

  it('a name in any script passes, marks included', () => {
    expect(name.safeParse('Rapport nocturne — 夜間レポート — تقرير\u200F').success).toBe(true);
  });

  it('a prompt keeps tabs and line breaks (Windows ones too), and refuses other controls', () => {
    expect(prompt.safeParse('Step 1:\tcheck\r\nStep 2:\n\tfix').success).toBe(true);
    expect(messageOf(prompt.safeParse('run \u001b]0;pwned\u0007'))).toBe(
      'Contains the invisible character U+001B at position 5: only tabs and line breaks may be in the text',
    );
    expect(messageOf(prompt.safeParse('approve \u202Eyadot'))).toMatch(/U\+202E/);
  });
});
