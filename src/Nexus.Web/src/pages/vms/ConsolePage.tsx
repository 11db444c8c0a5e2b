import RFB from '@novnc/novnc';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useParams } from 'react-router';
import type { GuestType } from '../../api/vmTypes';
import { messageOf } from '../../api/problem';
import { api } from '../../app/services';
import { closeMessage, consoleProtocols, consoleUrl } from '../../console/closeCodes';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { useTenant } from '../tenant/TenantLayout';

type Scaling = 'scale' | 'remote' | 'none';
type Phase = { kind: 'opening' } | { kind: 'connected' } | { kind: 'closed'; message: string };

/**
 * A VM's console: noVNC over a socket the page opens itself, so the one-use token travels as a subprotocol and never
 * in a URL. This route is lazy, so noVNC ships only to those who open a console.
 */
export default function ConsolePage() {
  const { tenant } = useTenant();
  const { serverId = '', type = 'qemu', vmid = '0' } = useParams();
  const guestType = type as GuestType;
  const id = Number(vmid);
  const vm = useQuery({ queryKey: ['vm', serverId, type, id], queryFn: () => api.vms.get(serverId, guestType, id), meta: { inlineErrors: true } });
  const screen = useRef<HTMLDivElement>(null);
  const rfb = useRef<RFB | null>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'opening' });
  const [attempt, setAttempt] = useState(0);
  const [scaling, setScaling] = useState<Scaling>('scale');
  const [paste, setPaste] = useState('');
  const ready = vm.isSuccess;
  const viewOnly = !(vm.data?.vm.permissions.includes('console') ?? false);

  useEffect(() => {
    if (!ready || !screen.current) {
      return;
    }
    let cancelled = false;
    let socket: WebSocket | null = null;
    const target = screen.current;
    setPhase({ kind: 'opening' });
    (async () => {
      try {
        // A fresh single-use token per attempt: reconnecting always asks again.
        const opened = await api.consoles.open(serverId, guestType, id, viewOnly);
        if (cancelled) {
          return;
        }
        socket = new WebSocket(consoleUrl(opened.wsPath, window.location), consoleProtocols(opened.subprotocol, opened.token));
        socket.addEventListener('close', (e) => !cancelled && setPhase({ kind: 'closed', message: closeMessage(e.code, e.reason) }));
        const client = new RFB(target, socket);
        client.viewOnly = viewOnly;
        client.scaleViewport = true;
        client.background = '#000';
        client.addEventListener('connect', () => {
          if (!cancelled) {
            setPhase({ kind: 'connected' });
            client.focus();
          }
        });
        rfb.current = client;
      } catch (error) {
        if (!cancelled) {
          setPhase({ kind: 'closed', message: messageOf(error) });
        }
      }
    })();
    return () => {
      cancelled = true;
      rfb.current?.disconnect();
      rfb.current = null;
      if (socket && socket.readyState <= WebSocket.OPEN) {
        socket.close(1000);
      }
    };
  }, [ready, serverId, guestType, id, viewOnly, attempt]);

  useEffect(() => {
    const client = rfb.current;
    if (client) {
      client.scaleViewport = scaling === 'scale';
      client.resizeSession = scaling === 'remote';
    }
  }, [scaling, phase]);

  const fullscreen = useCallback(() => void screen.current?.requestFullscreen?.(), []);
  const connected = phase.kind === 'connected';
  const name = vm.data?.vm.name ?? `${type} ${vmid}`;

  return (
    <section className="page">
      <div className="page-head">
        <h1>Console: {name}</h1>
        <Link to={`/t/${tenant.id}/vms/${serverId}/${type}/${vmid}`}>Details</Link>
      </div>
      {vm.error && <ErrorNotice error={vm.error} />}
      <div className="console-toolbar" role="toolbar" aria-label="Console">
        <span role="status" className="badge">
          {phase.kind === 'opening' ? 'Connecting…' : connected ? 'Connected' : 'Disconnected'}
        </span>
        {viewOnly && <span className="badge badge-warn">View only</span>}
        <button type="button" disabled={!connected || viewOnly} onClick={() => rfb.current?.sendCtrlAltDel()}>
          Ctrl+Alt+Del
        </button>
        <input aria-label="Text to paste" value={paste} onChange={(e) => setPaste(e.target.value)} disabled={!connected || viewOnly} />
        <button type="button" disabled={!connected || viewOnly || !paste} onClick={() => rfb.current?.clipboardPasteFrom(paste)}>
          Paste to guest clipboard
        </button>
        <label>
          Scaling{' '}
          <select value={scaling} onChange={(e) => setScaling(e.target.value as Scaling)}>
            <option value="scale">Fit to window</option>
            <option value="remote">Resize the guest</option>
            <option value="none">None (scroll)</option>
          </select>
        </label>
        <button type="button" onClick={fullscreen}>
          Full screen
        </button>
        <button type="button" disabled={phase.kind === 'opening'} onClick={() => setAttempt((a) => a + 1)}>
          Reconnect
        </button>
      </div>
      {phase.kind === 'closed' && (
        <p className="notice" role="alert">
          {phase.message}
        </p>
      )}
      <div ref={screen} className="console-screen" data-testid="console-screen" />
    </section>
  );
}
