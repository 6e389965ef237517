'use client';

import { Dialog as RadixDialog } from 'radix-ui';
import type { ReactNode } from 'react';
import styles from './Dialog.module.css';

/**
 * A modal dialog (Radix: focus trapped and returned, Escape and outside click close it). Closed, it
 * renders nothing but its trigger, so the server's HTML carries no inline styles.
 */
export function Dialog({
  open,
  onOpenChange,
  trigger,
  title,
  description,
  children,
  variant = 'center',
  testId,
}: {
  open?: boolean;
  onOpenChange?(open: boolean): void;
  /** The element that opens it (a `<button>`); omit when `open` is controlled from elsewhere. */
  trigger?: ReactNode;
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  /** `sheet`: slides from the left edge (the phone's menu). */
  variant?: 'center' | 'sheet';
  testId?: string;
}) {
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      {trigger ? <RadixDialog.Trigger asChild>{trigger}</RadixDialog.Trigger> : null}
      <RadixDialog.Portal>
        <RadixDialog.Overlay className={styles.overlay} />
        <RadixDialog.Content
          className={variant === 'sheet' ? styles.sheet : styles.content}
          data-testid={testId}
          // Without a description, say so (Radix warns otherwise).
          {...(description ? {} : { 'aria-describedby': undefined })}
        >
          <div className={styles.head}>
            <RadixDialog.Title className={styles.title}>{title}</RadixDialog.Title>
            <RadixDialog.Close className={styles.close} aria-label="Close">
              ×
            </RadixDialog.Close>
          </div>
          {description ? (
            <RadixDialog.Description className={styles.description}>{description}</RadixDialog.Description>
          ) : null}
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/** Closes the dialog it sits in when clicked (wraps one element, e.g. a nav link). */
export function DialogClose({ children }: { children: ReactNode }) {
  return <RadixDialog.Close asChild>{children}</RadixDialog.Close>;
}
