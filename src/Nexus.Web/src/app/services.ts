import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiClient } from '../api/client';
import { nexusApi } from '../api/nexus';
import { ApiError, messageOf } from '../api/problem';
import { isTransientStatus } from '../api/retry';
import { Session } from '../auth/session';
import { notifications } from '../ui/notifications';

declare module '@tanstack/react-query' {
  interface Register {
    mutationMeta: {
      /** The form shows the error itself (with field errors), so no toast. */
      inlineErrors?: boolean;
      /** A toast on success. */
      success?: string;
    };
    queryMeta: {
      /** The page shows the error itself. */
      inlineErrors?: boolean;
    };
  }
}

export const session = new Session();
export const client = new ApiClient(session);
export const api = nexusApi(client);

/** A 401 after the one refresh means the session is over: the router sends the user to the login page instead. */
const reportable = (error: unknown) => !(error instanceof ApiError && error.status === 401);

export const queryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (error, query) => {
      if (!query.meta?.inlineErrors && reportable(error)) {
        notifications.push('error', messageOf(error));
      }
    },
  }),
  mutationCache: new MutationCache({
    onError: (error, _vars, _ctx, mutation) => {
      if (!mutation.meta?.inlineErrors && reportable(error)) {
        notifications.push('error', messageOf(error));
      }
    },
    onSuccess: (_data, _vars, _ctx, mutation) => {
      if (mutation.meta?.success) {
        notifications.push('success', mutation.meta.success);
      }
    },
  }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // A 4xx will not change by asking again; a 502/503/504 or no answer the client retried already.
      retry: (count, error) =>
        count < 2 && !(error instanceof ApiError && ((error.status >= 400 && error.status < 500) || error.status === 0 || isTransientStatus(error.status))),
    },
  },
});

// Signing out forgets everything the previous user saw.
session.subscribe(() => {
  if (session.getState().status === 'signedOut') {
    queryClient.clear();
  }
});
