import { useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark';
const key = 'nexus.theme';
const listeners = new Set<() => void>();

function initial(): Theme {
  const saved = localStorage.getItem(key);
  if (saved === 'light' || saved === 'dark') {
    return saved;
  }
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

let current: Theme = initial();
document.documentElement.dataset.theme = current;

/** The light/dark theme: the user's choice (kept in localStorage; it is no secret), else the system's. */
export function setTheme(theme: Theme) {
  current = theme;
  localStorage.setItem(key, theme);
  document.documentElement.dataset.theme = theme;
  for (const listener of listeners) {
    listener();
  }
}

export function useTheme(): Theme {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => current,
  );
}
