import { type DisplayStatus, STATUS_TONES } from '@/components/ui/StatusBadge';
import type { RunIf } from '@/lib/contracts/workflows';
import type { GraphLayout, Point } from '@/lib/workflows/layout';
import styles from './WorkflowGraph.module.css';

/** What one box of the graph says: its key, two more lines, and where it leads. */
export interface GraphNodeView {
  key: string;
  /** How the step runs: the arrows into it are drawn accordingly. */
  runIf: RunIf;
  lines: [string, string?];
  /** The full text, as the box's tooltip. */
  title: string;
  /** A run's step: its status colours the box. */
  status?: DisplayStatus;
  /** Its execution's page, once it has one. */
  href?: string | null;
}

/** Widest text that fits a line of a default-sized box (12.5 px system font). */
const LINE_CHARS = 25;

const clip = (text: string, chars = LINE_CHARS) =>
  text.length > chars ? `${text.slice(0, chars - 1)}…` : text;

function pathOf(points: readonly Point[]): string {
  return points
    .map((point, i) => `${i === 0 ? 'M' : 'L'} ${point.x.toFixed(1)} ${point.y.toFixed(1)}`)
    .join(' ');
}

/**
 * A workflow drawn as SVG from its dagre layout (`src/lib/workflows/layout.ts`): one box per step,
 * an arrow from each dependency to its dependant, dashed when the dependant runs on failure and
 * dotted when it always runs. Attributes and classes only (no inline styles: the page's CSP).
 */
export function WorkflowGraph({
  id,
  layout,
  nodes,
  label,
}: {
  /** Unique on the page: names the arrow marker. */
  id: string;
  layout: GraphLayout;
  nodes: ReadonlyMap<string, GraphNodeView>;
  label: string;
}) {
  const arrow = `${id}-arrow`;
  return (
    <div className={styles.wrap}>
      <svg
        className={styles.graph}
        viewBox={`0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}`}
        width={Math.ceil(layout.width)}
        height={Math.ceil(layout.height)}
        aria-label={label}
        data-testid="workflow-graph"
      >
        <defs>
          <marker
            id={arrow}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path className={styles.arrow} d="M 0 0 L 10 5 L 0 10 z" />
          </marker>
        </defs>
        {layout.edges.map((edge) => (
          <path
            key={`${edge.from}→${edge.to}`}
            className={`${styles.edge} ${styles[`edge-${nodes.get(edge.to)?.runIf ?? 'success'}`] ?? ''}`}
            d={pathOf(edge.points)}
            markerEnd={`url(#${arrow})`}
            data-testid="graph-edge"
            data-from={edge.from}
            data-to={edge.to}
          />
        ))}
        {layout.nodes.map((box) => {
          const node = nodes.get(box.key);
          const status = node?.status;
          const [first, second] = node?.lines ?? [];
          const body = (
            <>
              <title>{node?.title ?? box.key}</title>
              <rect className={styles.box} x={box.x} y={box.y} width={box.width} height={box.height} rx={6} />
              <text className={styles.key} x={box.x + 10} y={box.y + 20}>
                {clip(box.key)}
              </text>
              {[first, second].map((line, i) =>
                line === undefined ? null : (
                  <text
                    key={i === 0 ? 'first' : 'second'}
                    className={styles.line}
                    x={box.x + 10}
                    y={box.y + 38 + i * 16}
                  >
                    {clip(line)}
                  </text>
                ),
              )}
            </>
          );
          return (
            <g
              key={box.key}
              className={
                status
                  ? `${styles.node} ${styles[`node-${STATUS_TONES[status]}`]} ${styles[`status-${status}`] ?? ''}`
                  : styles.node
              }
              data-testid="graph-node"
              data-key={box.key}
              data-status={status}
            >
              {node?.href ? (
                <a href={node.href} data-testid="graph-node-link">
                  {body}
                </a>
              ) : (
                body
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
