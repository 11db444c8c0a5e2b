import { HttpTransportType, HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection } from '@microsoft/signalr';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../api/problem';
import type { LiveEvent } from '../api/vmTypes';
import { api, session } from '../app/services';
import { LiveMirror, type LiveState } from './liveMirror';
import { liveStatus } from './liveStatus';

export type LiveConnection = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'revoked';

export interface TenantLive {
  state: LiveState | null;
  connection: LiveConnection;
  /**
   * Every event of the tenant as it arrives (alerts, audit appends: what the mirror does not hold). A resync may hand
   * the same version over twice; listeners that act once per event keep the versions they have seen.
   */
  subscribe: (listener: LiveListener) => () => void;
}

export type LiveListener = (event: LiveEvent) => void;

/**
 * A tenant's live state: joins the tenant on /hubs/live, loads the snapshot, applies the versioned events through
 * LiveMirror, and reloads the snapshot on a gap, an access change or a reconnect (src/Nexus.Host/Live/README.md).
 */
export function useTenantLive(tenantId: string | null): TenantLive {
  const listeners = useRef(new Set<LiveListener>());
  const subscribe = useCallback((listener: LiveListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const [live, setLive] = useState<Omit<TenantLive, 'subscribe'>>({ state: null, connection: 'connecting' });

  useEffect(() => {
    if (!tenantId) {
      return;
    }
    let stopped = false;
    let loading = false;
    let again = false;
    const mirror = new LiveMirror();
    const publish = (connection?: LiveConnection) => {
      if (stopped) {
        return;
      }
      if (connection) {
        liveStatus.set(connection);
      }
      setLive((previous) => ({ state: mirror.state, connection: connection ?? previous.connection }));
    };
    liveStatus.set('connecting');

    const connection: HubConnection = new HubConnectionBuilder()
      .withUrl('/hubs/live', {
        // WebSocket straight away, no negotiate step: a negotiated connection id lives only on the silo that issued
        // it, so the socket would have to reach that same silo. One request per connection needs no stickiness at the
        // load balancer (deploy/README.md).
        skipNegotiation: true,
        transport: HttpTransportType.WebSockets,
        // Browsers cannot set headers on a WebSocket: SignalR sends this as access_token, re-read on every (re)connect.
        accessTokenFactory: async () => {
          if (!session.accessToken) {
            await session.refresh();
          }
          return session.accessToken ?? '';
        },
      })
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (ctx) => Math.min(10_000, 500 * 2 ** ctx.previousRetryCount) })
      .configureLogging(LogLevel.None)
      .build();

    // One snapshot load at a time; a resync asked for while loading loads once more afterwards.
    const resync = async () => {
      if (loading) {
        again = true;
        return;
      }
      loading = true;
      try {
        do {
          again = false;
          mirror.invalidate();
          const snapshot = await api.live.snapshot(tenantId);
          if (stopped) {
            return;
          }
          if (mirror.loadSnapshot(snapshot) === 'resync') {
            again = true;
          }
          publish('live');
        } while (again && !stopped);
      } catch {
        publish('offline');
      } finally {
        loading = false;
      }
    };

    connection.on('event', (event: LiveEvent) => {
      if (event.tenantId !== tenantId) {
        return;
      }
      if (event.type !== 'hidden') {
        for (const listener of listeners.current) {
          listener(event);
        }
      }
      const outcome = mirror.receive(event);
      if (outcome === 'applied') {
        publish();
      } else if (outcome === 'resync') {
        void resync();
      }
    });
    // A revocation may be of this connection's token alone: the password was changed in another tab, or another
    // device signed out everywhere. One REST read tells which: it renews the token (or, when the session has ended,
    // signs out, and the app shows the sign-in page). If the tenant is still visible, a new connection with the
    // current token joins again; if not, the view stays revoked.
    const recheck = async () => {
      try {
        await api.live.snapshot(tenantId);
      } catch (error) {
        // 4xx: access is gone, or the session ended. Unreachable or 5xx: ask again in a while, not stay revoked.
        const status = error instanceof ApiError ? error.status : 0;
        if ((status === 0 || status >= 500) && !stopped) {
          setTimeout(() => !stopped && void recheck(), 5_000);
        }
        return;
      }
      if (!stopped && session.accessToken) {
        await connection.stop();
        void start();
      }
    };
    connection.on('accessRevoked', (message: { tenantId: string }) => {
      if (message.tenantId === tenantId) {
        mirror.invalidate();
        publish('revoked');
        void recheck();
      }
    });
    connection.onreconnecting(() => {
      mirror.invalidate();
      publish('reconnecting');
    });
    connection.onreconnected(async () => {
      try {
        await connection.invoke('JoinTenant', tenantId);
        await resync();
      } catch {
        publish('offline');
      }
    });
    connection.onclose(() => publish('offline'));

    const start = async () => {
      try {
        await connection.start();
        if (stopped) {
          return;
        }
        // Join first, then the snapshot: an event between the two is in one or in the buffer.
        await connection.invoke('JoinTenant', tenantId);
        await resync();
      } catch {
        if (!stopped) {
          publish('offline');
          // The first connect is not covered by automatic reconnect.
          setTimeout(() => !stopped && connection.state === HubConnectionState.Disconnected && void start(), 3_000);
        }
      }
    };
    void start();

    return () => {
      stopped = true;
      liveStatus.set('off');
      void connection.stop();
    };
  }, [tenantId]);

  return tenantId ? { ...live, subscribe } : { state: null, connection: 'offline', subscribe };
}
