import { ConsoleFrame } from '@/components/layout/ConsoleFrame';
import { NotFoundView } from '@/components/layout/NotFoundView';

/**
 * A path no page claims, drawn inside the console's frame so the nav stays. (Not a catch-all route:
 * Next's own upgrade handler ends every socket whose path matches a page, `/ws` included.)
 */
export default function NotFound() {
  return (
    <ConsoleFrame>
      <NotFoundView />
    </ConsoleFrame>
  );
}
