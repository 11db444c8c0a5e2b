import { useSyncExternalStore } from 'react';
import type { LiveConnection } from './useTenantLive';

/** The header's "live" indicator reads the open tenant's connection state from here. */
let current: LiveConnection | 'off' = 'off';
const listeners = new Set<() => void>();

export const liveStatus = {
  set(value: LiveConnection | 'off') {
    if (value !== current) {
      current = value;
      listeners.forEach((l) => l());
    }
  },
};

export function useLiveStatus() {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}
