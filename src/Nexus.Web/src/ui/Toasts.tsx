import { useSyncExternalStore } from 'react';
import { notifications } from './notifications';

export function Toasts() {
  const list = useSyncExternalStore(notifications.subscribe, notifications.getSnapshot);
  return (
    <div className="toasts" aria-live="polite">
      {list.map((n) => (
        <div key={n.id} className={`toast toast-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
          <span>{n.text}</span>
          <button type="button" className="link" aria-label="Dismiss" onClick={() => notifications.dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
