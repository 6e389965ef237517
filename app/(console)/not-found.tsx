import { NotFoundView } from '@/components/layout/NotFoundView';

/** A record a console page could not find (`notFound()`): inside the console's layout already. */
export default function NotFound() {
  return <NotFoundView />;
}
