// `npm run docs:api`: rewrites the route table in docs/api.md from the routes' own specs. Run it after
// adding or changing a route; a unit test fails while the table is stale.
import { writeFileSync } from 'node:fs';
import { API_DOC, renderApiDoc } from './apiDoc';

writeFileSync(API_DOC, renderApiDoc());
console.log(`Wrote the route table of ${API_DOC}`);
