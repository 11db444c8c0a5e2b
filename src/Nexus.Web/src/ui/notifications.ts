/** The app's toasts: a tiny store so that code outside React (the query cache) can report a failure. */
export interface Notice {
  id: number;
  kind: 'error' | 'success';
  text: string;
}

let notices: Notice[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function emit() {
  for (const listener of listeners) {
    listener();
  }
}

export const notifications = {
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  getSnapshot: () => notices,
  push(kind: Notice['kind'], text: string, timeoutMs = kind === 'error' ? 10_000 : 4_000) {
    const id = nextId++;
    notices = [...notices, { id, kind, text }];
    emit();
    setTimeout(() => notifications.dismiss(id), timeoutMs);
  },
  dismiss(id: number) {
    notices = notices.filter((n) => n.id !== id);
    emit();
  },
};
