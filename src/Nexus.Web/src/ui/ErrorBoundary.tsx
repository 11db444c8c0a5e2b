import { Component, type ErrorInfo, type ReactNode } from 'react';
import { messageOf } from '../api/problem';

interface State {
  error: unknown;
}

/** Catches a crash while rendering so that one broken page does not blank the app. */
export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('Nexus: a page crashed', error, info.componentStack);
  }

  override render() {
    if (this.state.error) {
      return <CrashNotice error={this.state.error} onRetry={() => this.setState({ error: null })} />;
    }
    return this.props.children;
  }
}

export function CrashNotice({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <section className="page crash" role="alert">
      <h1>Something went wrong</h1>
      <p>This page failed to display: {messageOf(error)}</p>
      <p>
        {onRetry && (
          <button type="button" onClick={onRetry}>
            Try again
          </button>
        )}{' '}
        <a href="/">Go to the start page</a>
      </p>
    </section>
  );
}
