import { ButtonLink } from '@/components/ui/Button';
import { PageHeader } from '@/components/ui/PageHeader';
import { Panel } from '@/components/ui/Panel';

/** What a missing page or record says, inside the console's shell. */
export function NotFoundView() {
  return (
    <>
      <PageHeader title="Not found" />
      <Panel testId="not-found">
        <p>There is nothing here. The record may have been deleted, or the link is wrong.</p>
        <p>
          <ButtonLink href="/runs">Go to the runs</ButtonLink>
        </p>
      </Panel>
    </>
  );
}
