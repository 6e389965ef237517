'use client';

import { Command } from 'cmdk';
import { Popover } from 'radix-ui';
import { useMemo, useState } from 'react';
import { useHydrated } from '@/hooks/useHydrated';
import styles from './TimeZonePicker.module.css';

export interface TimeZonePickerProps {
  id: string;
  value: string;
  onChange: (zone: string) => void;
  invalid?: boolean;
  describedBy?: string;
  testId?: string;
}

/**
 * A searchable list of the browser's time zones (`Intl.supportedValuesOf`): a button that opens a
 * Radix popover holding a cmdk combobox (input) and listbox (zones), typed into to filter, picked
 * with the arrows and Enter. Node's and the browser's zone lists differ, so the list is built once
 * the page runs in the browser; the button shows the chosen zone from the first paint.
 */
export function TimeZonePicker({ id, value, onChange, invalid, describedBy, testId }: TimeZonePickerProps) {
  const hydrated = useHydrated();
  const [open, setOpen] = useState(false);
  const zones = useMemo(() => (hydrated ? Intl.supportedValuesOf('timeZone') : []), [hydrated]);
  // UTC is not in every engine's list, and a schedule often wants it.
  const offered = useMemo(() => (zones.includes('UTC') ? zones : ['UTC', ...zones]), [zones]);
  return (
    <Popover.Root open={open} onOpenChange={setOpen}>
      <Popover.Trigger asChild>
        <button
          type="button"
          id={id}
          className={styles.trigger}
          aria-invalid={invalid}
          aria-describedby={describedBy}
          data-testid={testId}
          data-value={value}
        >
          <span>{value || 'Choose a time zone…'}</span>
          <span aria-hidden="true" className={styles.chevron}>
            ▾
          </span>
        </button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className={styles.content} align="start" sideOffset={4} collisionPadding={8}>
          <Command label="Time zones" className={styles.command}>
            <Command.Input
              className={styles.search}
              placeholder="Search: Paris, New_York, UTC…"
              aria-label="Search time zones"
              data-testid={testId ? `${testId}-search` : undefined}
            />
            <Command.List className={styles.list} aria-label="Time zones">
              <Command.Empty className={styles.empty}>No zone matches.</Command.Empty>
              {offered.map((zone) => (
                <Command.Item
                  key={zone}
                  value={zone}
                  className={styles.item}
                  data-testid="time-zone-option"
                  data-selected-zone={zone === value || undefined}
                  onSelect={() => {
                    onChange(zone);
                    setOpen(false);
                  }}
                >
                  {zone.replaceAll('_', ' ')}
                  {zone === value ? <span className={styles.current}>current</span> : null}
                </Command.Item>
              ))}
            </Command.List>
          </Command>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}
