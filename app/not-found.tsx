import Link from 'next/link';

export default function NotFound() {
  return (
    <section className="panel notice" data-testid="not-found">
      <h1>Not found</h1>
      <p>There is nothing here. The agent may have been deleted, or the link is wrong.</p>
      <p>
        <Link href="/">Back to the dashboard</Link>
      </p>
    </section>
  );
}
