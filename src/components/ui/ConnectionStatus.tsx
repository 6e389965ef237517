'use client';

import { useWebSocket } from '@/hooks/useWebSocket';

/** "Live" while the tab's socket is open; otherwise says it is (re)connecting. */
export function ConnectionStatus() {
  const { state, hasConnected } = useWebSocket();
  const label = state === 'open' ? 'Live' : hasConnected ? 'Reconnecting…' : 'Connecting…';
  return (
    <output className={`connection connection-${state}`} data-testid="connection-state" data-state={state}>
      <span className="connection-dot" aria-hidden="true" />
      {label}
    </output>
  );
}
