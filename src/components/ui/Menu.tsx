'use client';

import { DropdownMenu } from 'radix-ui';
import type { ReactNode } from 'react';
import styles from './Menu.module.css';

export interface MenuChoice<Value extends string> {
  value: Value;
  label: ReactNode;
  testId?: string;
}

/**
 * A menu of exclusive choices behind a button (Radix: arrow keys, type-ahead, Escape; announced as
 * a menu of radio items). Closed, it renders only its trigger.
 */
export function ChoiceMenu<Value extends string>({
  trigger,
  label,
  value,
  choices,
  onChange,
  testId,
}: {
  trigger: ReactNode;
  label: string;
  value: Value;
  choices: readonly MenuChoice<Value>[];
  onChange(value: Value): void;
  testId?: string;
}) {
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger asChild>{trigger}</DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content className={styles.content} sideOffset={6} align="start" data-testid={testId}>
          <DropdownMenu.Label className={styles.label}>{label}</DropdownMenu.Label>
          <DropdownMenu.RadioGroup
            value={value}
            onValueChange={(next) => {
              const chosen = choices.find((choice) => choice.value === next);
              if (chosen) onChange(chosen.value);
            }}
          >
            {choices.map((choice) => (
              <DropdownMenu.RadioItem
                key={choice.value}
                value={choice.value}
                className={styles.item}
                data-testid={choice.testId}
              >
                <span className={styles.indicator}>
                  <DropdownMenu.ItemIndicator>✓</DropdownMenu.ItemIndicator>
                </span>
                {choice.label}
              </DropdownMenu.RadioItem>
            ))}
          </DropdownMenu.RadioGroup>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
