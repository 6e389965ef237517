import type { z } from 'zod';

/**
 * Text fields people type, shown back to people: names and other one-line fields take no control
 * characters (a NUL, an escape sequence that repaints a terminal when the log is read) and no
 * bidirectional overrides or isolates (which make a name read differently from what it is, the
 * "Trojan Source" trick); multi-line fields (prompts) keep tabs and line breaks, and refuse the
 * rest alike. One rule for every contract, so every API and form refuses the same input the same way.
 */

/** C0 controls, DEL and C1 controls. */
const CONTROLS = '\\u0000-\\u001f\\u007f-\\u009f';
/** Bidirectional embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069). */
const BIDI_CONTROLS = '\\u202a-\\u202e\\u2066-\\u2069';

const FORBIDDEN_IN_LINE = new RegExp(`[${CONTROLS}${BIDI_CONTROLS}]`, 'u');
/** Tab, line feed and carriage return (a pasted Windows line end) are text in a multi-line field. */
const FORBIDDEN_IN_TEXT = new RegExp(`(?![\\t\\n\\r])[${CONTROLS}${BIDI_CONTROLS}]`, 'u');

const codePoint = (character: string) =>
  `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

function refuse(forbidden: RegExp, what: string) {
  return (value: string, ctx: z.RefinementCtx) => {
    const found = forbidden.exec(value);
    if (found) {
      ctx.addIssue({
        code: 'custom',
        message: `Contains the invisible character ${codePoint(found[0])} at position ${found.index + 1}: ${what}`,
      });
    }
  };
}

/** A one-line field (a name, a label, a path, a URL): no control characters, no bidirectional controls. */
export const singleLine = <T extends z.ZodType<string>>(schema: T): T =>
  schema.superRefine(refuse(FORBIDDEN_IN_LINE, 'use plain text on one line'));

/** A multi-line field (a prompt): tabs and line breaks, and no other control characters. */
export const multiLine = <T extends z.ZodType<string>>(schema: T): T =>
  schema.superRefine(refuse(FORBIDDEN_IN_TEXT, 'only tabs and line breaks may be in the text'));

/** The longest prompt a run takes: typed, or rendered from a workflow step's template. */
export const PROMPT_MAX_CHARS = 50_000;
