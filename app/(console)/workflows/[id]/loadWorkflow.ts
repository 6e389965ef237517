import { cache } from 'react';
import { getDb } from '@/lib/db';
import { getWorkflow } from '@/lib/db/queries/workflows';
import { parseIdParam } from '../../../_lib/params';

/** The live workflow a route segment names; metadata and page share one read per request. */
export const loadWorkflow = cache((idParam: string) => {
  const id = parseIdParam(idParam);
  return id === undefined ? undefined : getWorkflow(getDb(), id);
});
