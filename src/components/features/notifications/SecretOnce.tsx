'use client';

import { useRef, useState } from 'react';
import { Button } from '@/components/ui/Button';
import styles from './Notifications.module.css';

type CopyState = 'idle' | 'copied' | 'selected';

/**
 * A webhook's signing secret, shown this once (the server keeps it sealed and never returns it
 * again), with a button that copies it. Where the clipboard is out of reach (a page served over
 * plain http from another host), the text is selected for the person to copy.
 */
export function SecretOnce({ secret }: { secret: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [state, setState] = useState<CopyState>('idle');

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setState('copied');
    } catch {
      input.current?.select();
      setState('selected');
    }
  };

  return (
    <div className={styles.secret} data-testid="channel-secret">
      <label htmlFor="channel-secret-value">Signing secret</label>
      <div className={styles.secretRow}>
        <input
          ref={input}
          id="channel-secret-value"
          className="mono"
          readOnly
          value={secret}
          onFocus={(event) => event.target.select()}
          data-testid="channel-secret-value"
        />
        <Button onClick={copy} data-testid="channel-secret-copy">
          Copy
        </Button>
      </div>
      <p className="muted small" role="status" data-testid="channel-secret-copy-state">
        {state === 'copied'
          ? 'Copied.'
          : state === 'selected'
            ? 'Selected: press Ctrl+C (⌘C) to copy.'
            : 'Shown this once: give it to the receiver now, to verify each message’s signature.'}
      </p>
    </div>
  );
}
