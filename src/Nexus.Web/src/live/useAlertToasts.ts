import { useEffect } from 'react';
import type { LiveEvent } from '../api/vmTypes';
import { notifications } from '../ui/notifications';
import type { TenantLive } from './useTenantLive';

export interface ServerAlert {
  serverId: string;
  serverName: string;
  /** offline, degraded or recovered. */
  kind: string;
  message: string;
}

/** Shows a toast for each `serverAlertRaised` of the tenant, once per version; calls onAlert too (to refresh lists). */
export function useAlertToasts(live: TenantLive, onAlert?: (alert: ServerAlert) => void): void {
  const { subscribe } = live;
  useEffect(() => {
    const seen = new Set<number>();
    return subscribe((event: LiveEvent) => {
      if (event.type !== 'serverAlertRaised' || seen.has(event.version)) {
        return;
      }
      seen.add(event.version);
      const alert = event.body as ServerAlert;
      notifications.push(alert.kind === 'recovered' ? 'success' : 'error', `${alert.serverName}: ${alert.message}`);
      onAlert?.(alert);
    });
  }, [subscribe, onAlert]);
}
