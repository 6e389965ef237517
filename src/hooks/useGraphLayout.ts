'use client';

import { useMemo } from 'react';
import { type GraphLayout, layoutWorkflow } from '@/lib/workflows/layout';

type GraphStep = { key: string; dependsOn: readonly string[] };

/**
 * The dagre layout of a workflow's steps, computed again only when the graph's structure (keys
 * and edges) changes: a live run page re-renders on every spend frame, and a layout costs tens of
 * milliseconds for a big workflow.
 */
export function useGraphLayout(steps: readonly GraphStep[]): GraphLayout {
  const structure = JSON.stringify(steps.map((step) => [step.key, step.dependsOn]));
  return useMemo(() => {
    const pairs = JSON.parse(structure) as [string, string[]][];
    return layoutWorkflow(pairs.map(([key, dependsOn]) => ({ key, dependsOn })));
  }, [structure]);
}
