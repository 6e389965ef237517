'use client';

import styles from './HostPicker.module.css';

/** Which host's figures a chart shows: a select beside its range buttons, this server's marked. */
export function HostPicker({
  hosts,
  value,
  onChange,
  serverHost,
  disabled = false,
  testId,
}: {
  hosts: readonly string[];
  value: string;
  onChange: (host: string) => void;
  /** Named "(this server)" in the list, when known. */
  serverHost?: string;
  disabled?: boolean;
  testId: string;
}) {
  return (
    <select
      className={styles.host}
      aria-label="Host"
      value={value}
      disabled={disabled}
      onChange={(event) => onChange(event.target.value)}
      data-testid={testId}
    >
      {hosts.map((host) => (
        <option key={host} value={host}>
          {host === serverHost ? `${host} (this server)` : host}
        </option>
      ))}
    </select>
  );
}
