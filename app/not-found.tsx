import { CenteredPage } from '@/components/layout/CenteredPage';
import { ButtonLink } from '@/components/ui/Button';
import { Panel } from '@/components/ui/Panel';

/** Outside the console (the console's own 404 keeps its nav: app/(console)/not-found.tsx). */
export default function NotFound() {
  return (
    <CenteredPage>
      <Panel title="Not found" testId="not-found">
        <p>There is nothing here.</p>
        <p>
          <ButtonLink href="/">Go to the console</ButtonLink>
        </p>
      </Panel>
    </CenteredPage>
  );
}
