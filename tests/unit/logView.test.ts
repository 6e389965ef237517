import { describe, expect, it } from 'vitest';
import type { LogLineDto } from '../../src/lib/contracts/executions';
import {
  findMatches,
  firstErrorLine,
  graphemeColumns,
  lineAtRow,
  plainText,
  rowStarts,
  selectedText,
  selectLine,
  splitByMatch,
  stepMatch,
  wrappedRows,
} from '../../src/lib/presentation/logView';
import { pairToolSteps, rowMatches } from '../../src/lib/presentation/stepRows';
import { fieldLabel } from '../../src/lib/presentation/structuredView';

const line = (seq: number, text: string, level: LogLineDto['level'] = 'info'): LogLineDto => ({
  seq,
  text,
  level,
  createdAt: 1_000 + seq,
});

// Log lines share their seq with steps, so a run's lines are often 2, 4, 6…
const LINES = [
  line(2, 'starting'),
  line(4, `\u001b[32mok\u001b[0m disk / 42% used`),
  line(6, 'x'.repeat(25)),
  line(8, 'Permission denied', 'error'),
  line(10, 'OK again'),
];

describe('log layout', () => {
  it('leaves colour codes out of what is measured, searched and copied', () => {
    expect(plainText(LINES[1]?.text ?? '')).toBe('ok disk / 42% used');
    expect(wrappedRows(LINES[1]?.text ?? '', 10)).toBe(2);
    expect(wrappedRows('', 10)).toBe(1);
  });

  it('counts wide characters and emoji as two columns, marks as none', () => {
    expect(
      ['a', '~', 'é', 'é', '日', 'ア', '한', 'Ａ', '😀', '❤️', '👩‍💻', '\u0301'].map(graphemeColumns),
    ).toEqual([1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 0]);
    // Ten columns: five CJK characters fill a row, the sixth starts the next.
    expect(wrappedRows('日本語の文字', 10)).toBe(2);
    expect(wrappedRows('日本語の文', 10)).toBe(1);
    // A wide character never splits: 9 narrow + 1 wide moves it to the next row.
    expect(wrappedRows(`${'x'.repeat(9)}日`, 10)).toBe(2);
    expect(wrappedRows('😀'.repeat(6), 10)).toBe(2);
    // Combining marks add nothing; a ZWJ family is one emoji.
    expect(wrappedRows('e\u0301'.repeat(10), 10)).toBe(1);
    expect(wrappedRows('👩‍👩‍👧‍👦'.repeat(5), 10)).toBe(1);
  });

  it('stacks wrapped lines on whole rows and finds the line on any row', () => {
    const starts = rowStarts(LINES, 10);
    expect([...starts]).toEqual([0, 1, 3, 6, 8, 9]);
    expect([...rowStarts(LINES, null)]).toEqual([0, 1, 2, 3, 4, 5]);
    expect([0, 1, 2, 3, 5, 6, 8, 40].map((row) => lineAtRow(starts, row))).toEqual([0, 1, 1, 2, 2, 3, 4, 4]);
  });
});

describe('log search, errors and selection', () => {
  it('finds lines in any case and steps through matches around the ends', () => {
    expect(findMatches(LINES, 'ok')).toEqual([1, 4]);
    expect(findMatches(LINES, '')).toEqual([]);
    expect(stepMatch(-1, 2, 1)).toBe(0);
    expect(stepMatch(1, 2, 1)).toBe(0);
    expect(stepMatch(0, 2, -1)).toBe(1);
    expect(stepMatch(0, 0, 1)).toBe(-1);
  });

  it('marks every match inside a line', () => {
    expect(splitByMatch('Ok, then ok.', 'ok')).toEqual([
      { text: 'Ok', match: true },
      { text: ', then ', match: false },
      { text: 'ok', match: true },
      { text: '.', match: false },
    ]);
  });

  it('jumps to the first error line', () => {
    expect(firstErrorLine(LINES)).toBe(3);
    expect(firstErrorLine(LINES.slice(0, 3))).toBe(-1);
  });

  it('copies one line, or a range picked in either direction, without colour codes', () => {
    const one = selectLine(null, 1, false);
    expect(selectedText(LINES, one)).toBe('ok disk / 42% used');
    const range = selectLine(selectLine(null, 3, false), 1, true);
    expect(selectedText(LINES, range).split('\n')).toEqual([
      'ok disk / 42% used',
      'x'.repeat(25),
      'Permission denied',
    ]);
  });
});

describe('step filters', () => {
  const step = (seq: number, kind: 'tool_use' | 'tool_result' | 'assistant_text' | 'system', extra = {}) => ({
    seq,
    kind,
    summary: '',
    toolName: null,
    toolUseId: null,
    isError: false,
    payload: {},
    createdAt: seq,
    ...extra,
  });
  const rows = pairToolSteps([
    step(1, 'system'),
    step(2, 'assistant_text'),
    step(3, 'tool_use', { toolUseId: 'a' }),
    step(4, 'tool_result', { toolUseId: 'a', isError: true }),
    step(5, 'tool_use', { toolUseId: 'b' }),
    step(6, 'tool_result', { toolUseId: 'b' }),
  ]);

  it('counts a tool call and its result as one row, and filters rows by kind', () => {
    expect(rows).toHaveLength(4);
    expect(rows.filter((row) => rowMatches(row, 'tools'))).toHaveLength(2);
    expect(rows.filter((row) => rowMatches(row, 'errors'))).toHaveLength(1);
    expect(rows.filter((row) => rowMatches(row, 'text'))).toHaveLength(1);
  });
});

describe('structured output labels', () => {
  it('turns field names into words', () => {
    expect(fieldLabel('findingCount')).toBe('Finding count');
    expect(fieldLabel('disk_usage')).toBe('Disk usage');
    expect(fieldLabel('status')).toBe('Status');
  });
});
