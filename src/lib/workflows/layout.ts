import { Graph, layout } from '@dagrejs/dagre';

/**
 * Where to draw a workflow's steps and the arrows between them: numbers only, for the pages to
 * render as SVG. Pure; runs in the browser (the editor's draft) as on the server.
 */

export type LayoutDirection = 'TB' | 'LR';

export interface LayoutOptions {
  /** Top to bottom (default) or left to right. */
  direction?: LayoutDirection;
  nodeWidth?: number;
  nodeHeight?: number;
}

export interface Point {
  x: number;
  y: number;
}

/** A step's box: top-left corner and size. */
export interface NodeBox extends Point {
  key: string;
  width: number;
  height: number;
}

/** An arrow from a dependency to its dependant, as a polyline from box edge to box edge. */
export interface EdgeLine {
  from: string;
  to: string;
  points: Point[];
}

export interface GraphLayout {
  width: number;
  height: number;
  nodes: NodeBox[];
  edges: EdgeLine[];
}

export const NODE_WIDTH = 200;
export const NODE_HEIGHT = 64;

interface NodeLabel {
  width: number;
  height: number;
  x?: number;
  y?: number;
}

interface EdgeLabel {
  points?: Point[];
}

/** Dependencies that name no step (a draft being edited) are left out. */
export function layoutWorkflow(
  steps: readonly { key: string; dependsOn: readonly string[] }[],
  options: LayoutOptions = {},
): GraphLayout {
  const width = options.nodeWidth ?? NODE_WIDTH;
  const height = options.nodeHeight ?? NODE_HEIGHT;
  const graph = new Graph<object, NodeLabel, EdgeLabel>();
  graph.setGraph({ rankdir: options.direction ?? 'TB', nodesep: 32, ranksep: 56, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  const keys = new Set(steps.map((step) => step.key));
  for (const key of keys) graph.setNode(key, { width, height });
  for (const step of steps) {
    for (const dep of step.dependsOn) if (keys.has(dep) && dep !== step.key) graph.setEdge(dep, step.key);
  }
  layout(graph);
  const size = graph.graph() as { width?: number; height?: number };
  return {
    width: size.width ?? 0,
    height: size.height ?? 0,
    nodes: [...keys].map((key) => {
      const { x = 0, y = 0 } = graph.node(key);
      return { key, x: x - width / 2, y: y - height / 2, width, height };
    }),
    edges: graph.edges().map((edge) => ({ from: edge.v, to: edge.w, points: graph.edge(edge).points ?? [] })),
  };
}
