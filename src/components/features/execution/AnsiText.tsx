import Anser, { type AnserJsonEntry } from 'anser';
import { memo } from 'react';
import { splitByMatch } from '@/lib/presentation/logView';
import styles from './AnsiText.module.css';

/** `ansi-bright-green` → the module's class for it; colours beyond the 16 named ones stay plain. */
function colourClass(prefix: 'fg' | 'bg', value: string | null): string | undefined {
  if (!value?.startsWith('ansi-')) return undefined;
  return styles[`${prefix}-${value.slice('ansi-'.length)}`];
}

function classesOf(entry: AnserJsonEntry): string | undefined {
  const classes = [
    colourClass('fg', entry.fg),
    colourClass('bg', entry.bg),
    ...entry.decorations.map((decoration) => styles[decoration]),
  ].filter(Boolean);
  return classes.length === 0 ? undefined : classes.join(' ');
}

/** Text with the search's matches marked. */
function Marked({ text, query }: { text: string; query: string }) {
  if (query === '') return <>{text}</>;
  return (
    <>
      {splitByMatch(text, query).map((part, i) =>
        part.match ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the pieces of one fixed string, in order.
          <mark key={i} className={styles.match}>
            {part.text}
          </mark>
        ) : (
          part.text
        ),
      )}
    </>
  );
}

/**
 * Terminal output with its ANSI colours as classes (never inline styles, which the CSP refuses in
 * the server's HTML), and the search's matches marked. Parsing is `anser`'s.
 */
export const AnsiText = memo(function AnsiText({ text, query = '' }: { text: string; query?: string }) {
  if (!text.includes('\u001b')) return <Marked text={text} query={query} />;
  const entries = Anser.ansiToJson(text, { use_classes: true, remove_empty: true });
  return (
    <>
      {entries.map((entry, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the pieces of one fixed string, in order.
        <span key={i} className={classesOf(entry)}>
          <Marked text={entry.content} query={query} />
        </span>
      ))}
    </>
  );
});
