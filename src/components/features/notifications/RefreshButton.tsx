'use client';

import { useRouter } from 'next/navigation';
import { useTransition } from 'react';
import { Button } from '@/components/ui/Button';

/** Reads the page again from the server (the delivery log moves on its own as the worker sends). */
export function RefreshButton() {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Button
      size="small"
      onClick={() => startTransition(() => router.refresh())}
      disabled={pending}
      data-testid="deliveries-refresh"
    >
      {pending ? 'Refreshing…' : 'Refresh'}
    </Button>
  );
}
