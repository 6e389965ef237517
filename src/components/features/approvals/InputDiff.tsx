import { diffLines } from 'diff';
import type { FileEdit } from '@/lib/presentation/approvals';
import { formatCount } from '@/lib/presentation/format';
import styles from './Approvals.module.css';

interface DiffLine {
  kind: 'added' | 'removed' | 'same';
  text: string;
}

function linesOf(edit: FileEdit): DiffLine[] {
  const lines: DiffLine[] = [];
  for (const change of diffLines(edit.before, edit.after)) {
    const kind = change.added ? 'added' : change.removed ? 'removed' : 'same';
    const parts = change.value.endsWith('\n') ? change.value.slice(0, -1) : change.value;
    for (const text of parts.split('\n')) lines.push({ kind, text });
  }
  return lines;
}

/**
 * What an edit would change in a file, line by line. Each changed line is marked in text (`+`,
 * `−`) and as `<ins>`/`<del>`, not by colour alone, and the caption counts them.
 */
export function InputDiff({ edit }: { edit: FileEdit }) {
  const lines = linesOf(edit);
  const added = lines.filter((line) => line.kind === 'added').length;
  const removed = lines.filter((line) => line.kind === 'removed').length;
  return (
    <figure className={styles.diff} data-testid="approval-diff">
      <figcaption className={styles.diffCaption}>
        <span className="mono">{edit.path}</span>{' '}
        <span className="muted small">
          {formatCount(removed)} {removed === 1 ? 'line' : 'lines'} removed, {formatCount(added)} added
        </span>
      </figcaption>
      <pre className={styles.diffBody}>
        {lines.map((line, index) => {
          const key = `${index}-${line.kind}`;
          if (line.kind === 'added')
            return (
              <ins key={key} className={styles.added}>
                {`+ ${line.text}\n`}
              </ins>
            );
          if (line.kind === 'removed')
            return (
              <del key={key} className={styles.removed}>
                {`− ${line.text}\n`}
              </del>
            );
          return <span key={key}>{`  ${line.text}\n`}</span>;
        })}
      </pre>
    </figure>
  );
}
