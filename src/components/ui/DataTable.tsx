// biome-ignore-all lint/a11y/noRedundantRoles: the phone layout sets `display: block` on the table's parts, which drops their table semantics in some browsers unless the roles are explicit.
'use client';

import {
  type ColumnDef,
  getCoreRowModel,
  getSortedRowModel,
  type RowData,
  type SortingState,
  useReactTable,
} from '@tanstack/react-table';
import { type ReactNode, useMemo, useState } from 'react';
import styles from './DataTable.module.css';

declare module '@tanstack/react-table' {
  interface ColumnMeta<TData extends RowData, TValue> {
    /** Figures: right-aligned. */
    align?: 'end';
    /** As narrow as its content (actions, ids). */
    shrink?: boolean;
    /** On a phone's card: the line that names the row, shown without a label. */
    primary?: boolean;
    /** On a phone's card: a line without a label (buttons). */
    bare?: boolean;
    /** The cell's `data-testid`. */
    testId?: string;
    /** The label on a phone's card, when the header is not plain text. */
    label?: string;
  }
}

export type Columns<Row> = ColumnDef<Row>[];
export type DataAttributes = Record<`data-${string}`, string | number | boolean | null | undefined>;

export interface DataTableProps<Row> {
  data: readonly Row[];
  columns: Columns<Row>;
  getRowId(row: Row): string;
  /** The table's `data-testid`. */
  testId: string;
  /** What the table lists, for screen readers. */
  label: string;
  /** Attributes of each row (`data-testid`, ids and states a test or a style reads). */
  rowData?(row: Row): DataAttributes;
  /** Sorted in the browser, starting from this. */
  initialSorting?: SortingState;
  /** Sorted by the server: the current order and what a header click asks for. */
  sorting?: { state: SortingState; onChange(next: SortingState): void };
  /** Phones: rows as cards (default), or the table scrolling inside its own box. */
  phone?: 'cards' | 'scroll';
  /** Shown instead of the table when there are no rows. */
  empty?: ReactNode;
  /** Attributes of the table itself (what a test reads off it). */
  tableData?: DataAttributes;
}

const SORT_MARKS = { asc: '▲', desc: '▼' } as const;
const ARIA_SORT = { asc: 'ascending', desc: 'descending' } as const;

/**
 * A header or cell: text, or a render function. Render functions are called, not mounted as
 * components (TanStack's `flexRender` mounts them): columns built in a render are new functions
 * each time, and mounting those would remount every cell on every render. So no hooks in a cell
 * function; a cell that needs one returns a component.
 */
function renderPart<Context>(part: unknown, context: Context): ReactNode {
  return typeof part === 'function'
    ? (part as (context: Context) => ReactNode)(context)
    : (part as ReactNode);
}

/**
 * Every list of the console: a headless TanStack table with sortable headers, and on phones a card
 * per row (or a box that scrolls sideways). Columns opt into sorting with `enableSorting: true` and
 * an `accessorFn`.
 */
export function DataTable<Row>({
  data,
  columns,
  getRowId,
  testId,
  label,
  rowData,
  initialSorting = [],
  sorting: manual,
  phone = 'cards',
  empty,
  tableData,
}: DataTableProps<Row>) {
  const [localSorting, setLocalSorting] = useState<SortingState>(initialSorting);
  const rows = useMemo(() => [...data], [data]);
  const sorting = manual ? manual.state : localSorting;
  const table = useReactTable<Row>({
    data: rows,
    columns,
    getRowId: (row) => getRowId(row),
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: manual ? undefined : getSortedRowModel(),
    manualSorting: manual !== undefined,
    enableSortingRemoval: false,
    defaultColumn: { enableSorting: false },
    state: { sorting },
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      if (manual) manual.onChange(next);
      else setLocalSorting(next);
    },
  });

  if (rows.length === 0 && empty) return <>{empty}</>;

  const cellClass = (meta: ColumnDef<Row>['meta']) =>
    [
      meta?.align === 'end' ? styles.end : null,
      meta?.shrink ? styles.shrink : null,
      meta?.primary ? styles.primary : null,
      meta?.bare ? styles.bare : null,
    ]
      .filter(Boolean)
      .join(' ') || undefined;

  return (
    <div className={phone === 'cards' ? `${styles.wrap} ${styles.cards}` : styles.wrap}>
      {/* Explicit roles: the phone layout changes `display`, which would drop the table semantics. */}
      <table className={styles.table} data-testid={testId} aria-label={label} role="table" {...tableData}>
        <thead role="rowgroup">
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} role="row">
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta;
                const direction = header.column.getIsSorted();
                const content = renderPart(header.column.columnDef.header, header.getContext());
                return (
                  <th
                    key={header.id}
                    scope="col"
                    role="columnheader"
                    className={cellClass(meta)}
                    aria-sort={direction ? ARIA_SORT[direction] : undefined}
                  >
                    {header.column.getCanSort() ? (
                      <button
                        type="button"
                        className={styles.sort}
                        onClick={header.column.getToggleSortingHandler()}
                        data-testid={`sort-${header.column.id}`}
                      >
                        {content}
                        <span className={styles.sortMark} aria-hidden="true">
                          {direction ? SORT_MARKS[direction] : ''}
                        </span>
                      </button>
                    ) : (
                      content
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody role="rowgroup">
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} role="row" {...rowData?.(row.original)}>
              {row.getVisibleCells().map((cell) => {
                const { meta, header } = cell.column.columnDef;
                return (
                  <td
                    key={cell.id}
                    role="cell"
                    className={cellClass(meta)}
                    data-label={meta?.label ?? (typeof header === 'string' ? header : undefined)}
                    data-testid={meta?.testId}
                  >
                    {renderPart(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
