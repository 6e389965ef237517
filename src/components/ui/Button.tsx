import Link from 'next/link';
import type { ComponentProps } from 'react';
import styles from './Button.module.css';

export type ButtonVariant = 'default' | 'primary' | 'danger' | 'ghost';
export type ButtonSize = 'normal' | 'small';

interface Look {
  variant?: ButtonVariant;
  size?: ButtonSize;
}

/** The class names of a button's look, for the odd element that must look like one (a `<summary>`). */
export function buttonClassName({ variant = 'default', size = 'normal' }: Look = {}, extra?: string): string {
  return [
    styles.button,
    variant === 'default' ? null : styles[variant],
    size === 'small' ? styles.small : null,
    extra ?? null,
  ]
    .filter(Boolean)
    .join(' ');
}

type ButtonProps = ComponentProps<'button'> & Look;

export function Button({ variant, size, className, type = 'button', ...props }: ButtonProps) {
  return <button type={type} className={buttonClassName({ variant, size }, className)} {...props} />;
}

type ButtonLinkProps = ComponentProps<typeof Link> & Look;

/** A link that looks like a button: it goes somewhere rather than doing something. */
export function ButtonLink({ variant, size, className, ...props }: ButtonLinkProps) {
  return <Link className={buttonClassName({ variant, size }, className)} {...props} />;
}

/** Buttons side by side, wrapping on narrow screens; `label` names a group of choices. */
export function ButtonGroup({ label, children }: { label?: string; children: React.ReactNode }) {
  return label ? (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset would add a border and a legend; this is a toolbar of choices.
    <div className={styles.group} role="group" aria-label={label}>
      {children}
    </div>
  ) : (
    <div className={styles.group}>{children}</div>
  );
}
