import type { ReactNode } from 'react';

/** One labelled figure of a header's facts (`<dl className="facts">`). */
export function Fact({ label, testId, children }: { label: string; testId: string; children: ReactNode }) {
  return (
    <div className="fact">
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}
