import { useSyncExternalStore } from 'react';
import type { Me } from '../api/types';
import { session } from '../app/services';
import type { SessionState } from './session';

export function useSession(): SessionState {
  return useSyncExternalStore(session.subscribe, session.getState);
}

/** The signed-in user; only inside the routes that require a session. */
export function useUser(): Me {
  const state = useSession();
  if (state.status !== 'signedIn') {
    throw new Error('No user is signed in.');
  }
  return state.user;
}
