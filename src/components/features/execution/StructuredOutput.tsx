import { Disclosure } from '@/components/ui/Disclosure';
import { Panel } from '@/components/ui/Panel';
import { fieldLabel } from '@/lib/presentation/structuredView';
import styles from './Execution.module.css';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isRecord = (value: unknown): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A value as a reader wants it: fields labelled, lists as lists, nested records indented. */
function ValueView({ value }: { value: Json }) {
  if (value === null) return <span className="muted">—</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">none</span>;
    return (
      <ul className={styles.structuredList}>
        {value.map((item, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, shown in its own order.
          <li key={i}>
            <ValueView value={item} />
          </li>
        ))}
      </ul>
    );
  }
  if (isRecord(value)) {
    return (
      <dl className={styles.structured}>
        {Object.entries(value).map(([key, field]) => (
          <div key={key} className={styles.structuredField} data-testid="structured-field" data-key={key}>
            <dt>{fieldLabel(key)}</dt>
            <dd>
              <ValueView value={field} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <>{String(value)}</>;
}

/** The agent's structured answer (the health reporter's report) as labelled fields, the raw JSON behind a toggle. */
export function StructuredOutput({ value }: { value: unknown }) {
  if (value === null || value === undefined) return null;
  return (
    <Panel title="Structured output" testId="structured-output">
      <ValueView value={value as Json} />
      <Disclosure summary="Raw JSON" summaryTestId="structured-raw-toggle">
        <pre className={styles.pre} data-testid="structured-raw">
          {JSON.stringify(value, null, 2)}
        </pre>
      </Disclosure>
    </Panel>
  );
}
