const width = (text: string) => [...text].length;

/** A Markdown table with its columns padded as the formatter (Biome) writes one, so generated docs pass lint. */
export function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, i) =>
    Math.max(3, width(title), ...rows.map((row) => width(row[i] ?? ''))),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((text, i) => text + ' '.repeat((widths[i] ?? 0) - width(text))).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)];
}
