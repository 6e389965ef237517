import { describe, expect, it } from 'vitest';
import { type GraphLayout, layoutWorkflow, type NodeBox, type Point } from '../../src/lib/workflows/layout';

/** Distance from a point to a box (0 inside or on its edge). */
function distanceToBox(point: Point, box: NodeBox): number {
  const dx = Math.max(box.x - point.x, 0, point.x - (box.x + box.width));
  const dy = Math.max(box.y - point.y, 0, point.y - (box.y + box.height));
  return Math.hypot(dx, dy);
}

const overlaps = (a: NodeBox, b: NodeBox) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

function expectWellDrawn(layout: GraphLayout, steps: { key: string; dependsOn: string[] }[]) {
  const boxes = new Map(layout.nodes.map((node) => [node.key, node]));
  expect([...boxes.keys()].sort()).toEqual(steps.map((step) => step.key).sort());
  const expectedEdges = steps.flatMap((step) => step.dependsOn.map((dep) => `${dep}→${step.key}`)).sort();
  expect(layout.edges.map((edge) => `${edge.from}→${edge.to}`).sort()).toEqual(expectedEdges);
  for (const edge of layout.edges) {
    const from = boxes.get(edge.from);
    const to = boxes.get(edge.to);
    const [first, last] = [edge.points[0], edge.points.at(-1)];
    if (!from || !to || !first || !last) throw new Error(`edge ${edge.from}→${edge.to} has no geometry`);
    expect(distanceToBox(first, from)).toBeLessThan(1);
    expect(distanceToBox(last, to)).toBeLessThan(1);
  }
  const nodes = layout.nodes;
  for (const [i, a] of nodes.entries()) {
    expect(a.x).toBeGreaterThanOrEqual(0);
    expect(a.y).toBeGreaterThanOrEqual(0);
    expect(a.x + a.width).toBeLessThanOrEqual(layout.width);
    expect(a.y + a.height).toBeLessThanOrEqual(layout.height);
    for (const b of nodes.slice(i + 1)) expect(overlaps(a, b), `${a.key} overlaps ${b.key}`).toBe(false);
  }
}

const diamond = [
  { key: 'a', dependsOn: [] },
  { key: 'b', dependsOn: ['a'] },
  { key: 'c', dependsOn: ['a'] },
  { key: 'd', dependsOn: ['b', 'c'] },
];

describe('workflow graph layout', () => {
  it('top to bottom: each dependant below its dependencies, edges from dependency to dependant', () => {
    const layout = layoutWorkflow(diamond);
    expectWellDrawn(layout, diamond);
    const y = Object.fromEntries(layout.nodes.map((node) => [node.key, node.y]));
    expect(y.b).toBeGreaterThan(y.a ?? Infinity);
    expect(y.d).toBeGreaterThan(Math.max(y.b ?? Infinity, y.c ?? Infinity));
    expect(layout.nodes.every((node) => node.width === 200 && node.height === 64)).toBe(true);
  });

  it('left to right, with a chosen node size', () => {
    const layout = layoutWorkflow(diamond, { direction: 'LR', nodeWidth: 120, nodeHeight: 40 });
    expectWellDrawn(layout, diamond);
    const x = Object.fromEntries(layout.nodes.map((node) => [node.key, node.x]));
    expect(x.d).toBeGreaterThan(Math.max(x.b ?? Infinity, x.c ?? Infinity));
    expect(layout.nodes[0]).toMatchObject({ width: 120, height: 40 });
  });

  it('a wide 30-step graph with long edges: no overlaps, every edge attached at both ends', () => {
    // Deterministic: step i depends on i-1 when even, and on i-7 and i-13 when those exist.
    const steps = Array.from({ length: 30 }, (_, i) => ({
      key: `s${i}`,
      dependsOn: [i % 2 === 0 ? i - 1 : -1, i - 7, i - 13].filter((dep) => dep >= 0).map((dep) => `s${dep}`),
    }));
    expectWellDrawn(layoutWorkflow(steps), steps);
  });

  it('draws a draft: unknown and self dependencies are left out', () => {
    const layout = layoutWorkflow([
      { key: 'a', dependsOn: ['a', 'missing'] },
      { key: 'b', dependsOn: ['a'] },
    ]);
    expect(layout.edges.map((edge) => [edge.from, edge.to])).toEqual([['a', 'b']]);
  });
});
