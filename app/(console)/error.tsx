'use client';

import { ErrorView } from '@/components/layout/ErrorView';

/** A page that failed inside the console: the shell and its nav stay. */
export default function ConsoleErrorPage(props: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorView {...props} />;
}
