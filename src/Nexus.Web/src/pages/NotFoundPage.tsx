import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>There is no page at this address, or you may not see it.</p>
      <p>
        <Link to="/">Go to your tenants</Link>
      </p>
    </section>
  );
}

export default NotFoundPage;
