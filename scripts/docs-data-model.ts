// `npm run docs:data-model`: writes docs/data-model.md from the Drizzle schema. Run it after changing
// src/lib/db/schema/*.ts (or merging a branch that did); a unit test fails while the file is stale.
import { writeFileSync } from 'node:fs';
import { DATA_MODEL_DOC, renderDataModel } from './dataModelDoc';

writeFileSync(DATA_MODEL_DOC, renderDataModel());
console.log(`Wrote ${DATA_MODEL_DOC}`);
