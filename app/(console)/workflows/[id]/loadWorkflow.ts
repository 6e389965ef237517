import { cache } from 'react';
import { execute } from '@/lib/db/plan';
import { getWorkflow } from '@/lib/db/queries/workflows';
import { getStore } from '@/lib/db/store';
import { parseIdParam } from '../../../_lib/params';

/** The live workflow a route segment names; metadata and page share one read per request. */
export const loadWorkflow = cache(async (idParam: string) => {
  const id = parseIdParam(idParam);
  if (id === undefined) return undefined;
  const store = getStore();
  return execute(store, getWorkflow(store, id));
});
