import { notFound } from 'next/navigation';

/** Any path no page claims: the console's 404, inside the console's layout. */
export default function Missing() {
  notFound();
}
