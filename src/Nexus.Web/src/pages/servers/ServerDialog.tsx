import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/problem';
import type { ProbedCertificate, Server, ServerInput } from '../../api/serverTypes';
import { api } from '../../app/services';
import { Dialog } from '../../ui/Dialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';

/**
 * Add or edit a server. Nexus never accepts "any certificate": the operator probes what the host presents, checks the
 * fingerprint, subject and validity, and pins it (as Proxmox Datacenter Manager does).
 */
export function ServerDialog({ tenantId, server, onClose, onSaved }: { tenantId: string; server?: Server; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(server?.name ?? '');
  const [host, setHost] = useState(server?.host ?? '');
  const [port, setPort] = useState(String(server?.port ?? 8006));
  const [apiToken, setApiToken] = useState('');
  const [secondaryHost, setSecondaryHost] = useState(server?.secondaryHost ?? '');
  const [secondaryPort, setSecondaryPort] = useState(String(server?.secondaryPort ?? ''));
  const [timeout, setTimeoutMs] = useState(String(server?.connectionTimeoutMs ?? ''));
  const [poll, setPoll] = useState(String(server?.pollIntervalSeconds ?? ''));
  const [probed, setProbed] = useState<ProbedCertificate | null>(null);
  const [accepted, setAccepted] = useState(false);

  const probe = useMutation({
    mutationFn: () => api.servers.probe(tenantId, host.trim(), Number(port)),
    meta: { inlineErrors: true },
    onSuccess: (result) => {
      setProbed(result);
      setAccepted(false);
    },
  });
  const save = useMutation({
    mutationFn: () => {
      const input: ServerInput = {
        name: name.trim(),
        host: host.trim(),
        port: Number(port),
        secondaryHost: secondaryHost.trim(),
        secondaryPort: secondaryPort ? Number(secondaryPort) : null,
        connectionTimeoutMs: timeout ? Number(timeout) : server ? 0 : undefined,
        pollIntervalSeconds: poll ? Number(poll) : server ? 0 : undefined,
      };
      if (apiToken.trim()) {
        input.apiToken = apiToken.trim();
      }
      if (probed && accepted) {
        input.trust = { mode: 'pinned', fingerprints: [probed.leaf.fingerprint] };
      }
      return server ? api.servers.update(server.id, input) : api.servers.create(tenantId, input);
    },
    meta: { inlineErrors: true, success: server ? 'Server saved.' : 'Server added.' },
    onSuccess: () => {
      onSaved();
      onClose();
    },
  });
  const error = save.error instanceof ApiError ? save.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const leaf = probed?.leaf;
  return (
    <Dialog title={server ? `Edit ${server.name}` : 'Add server'} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <Field label="Name" error={error?.fieldError('name')}>
          <input value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </Field>
        <div className="row">
          <Field label="Host" error={error?.fieldError('host')}>
            <input value={host} onChange={(e) => setHost(e.target.value)} spellCheck={false} />
          </Field>
          <Field label="Port" error={error?.fieldError('port')}>
            <input type="number" value={port} min={1} max={65535} onChange={(e) => setPort(e.target.value)} />
          </Field>
        </div>
        <Field label="API token" error={error?.fieldError('apiToken')} hint={server ? `Stored: ${server.tokenId ?? '—'}. Leave blank to keep it.` : 'user@realm!name=secret'}>
          <input type="password" value={apiToken} onChange={(e) => setApiToken(e.target.value)} autoComplete="off" />
        </Field>
        <div className="row">
          <Field label="Secondary host" error={error?.fieldError('secondaryHost')} hint="Optional second path to the same cluster.">
            <input value={secondaryHost} onChange={(e) => setSecondaryHost(e.target.value)} spellCheck={false} />
          </Field>
          <Field label="Secondary port" error={error?.fieldError('secondaryPort')}>
            <input type="number" value={secondaryPort} onChange={(e) => setSecondaryPort(e.target.value)} />
          </Field>
        </div>
        <div className="row">
          <Field label="Connection timeout (ms)" error={error?.fieldError('connectionTimeoutMs')} hint="5000–120000; blank: the tenant's default.">
            <input type="number" value={timeout} onChange={(e) => setTimeoutMs(e.target.value)} />
          </Field>
          <Field label="Poll interval (s)" error={error?.fieldError('pollIntervalSeconds')} hint="Up to 300; the operator sets the minimum (5 by default). Blank: the default.">
            <input type="number" value={poll} onChange={(e) => setPoll(e.target.value)} />
          </Field>
        </div>
        <fieldset>
          <legend>Certificate</legend>
          {server && !probed && (
            <p className="muted">
              Trusted by {server.trust.mode}
              {server.trust.fingerprints.length > 0 && <> ({server.trust.fingerprints.length} pinned fingerprint(s))</>}. Probe again after a renewal.
            </p>
          )}
          <button type="button" disabled={!host.trim() || probe.isPending} onClick={() => probe.mutate()}>
            Check certificate
          </button>
          <ErrorNotice error={probe.error} />
          {leaf && (
            <>
              <dl className="facts" aria-label="Presented certificate">
                <dt>Fingerprint (SHA-256)</dt>
                <dd className="mono">{leaf.fingerprint}</dd>
                <dt>Subject</dt>
                <dd>{leaf.subject}</dd>
                <dt>Issuer</dt>
                <dd>{leaf.issuer}</dd>
                <dt>Valid</dt>
                <dd>
                  {new Date(leaf.notBefore).toLocaleDateString()} – {new Date(leaf.notAfter).toLocaleDateString()}
                </dd>
                <dt>System trust</dt>
                <dd>{probed.trustedBySystem ? 'trusted' : `not trusted (${probed.systemTrustErrors || 'unknown issuer'})`}</dd>
              </dl>
              <label className="check">
                <input type="checkbox" checked={accepted} onChange={(e) => setAccepted(e.target.checked)} /> I checked this fingerprint: pin it
              </label>
            </>
          )}
          {error?.fieldError('trust') && <p className="field-error">{error.fieldError('trust')}</p>}
        </fieldset>
        <ErrorNotice error={save.error} />
        <div className="actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={save.isPending || (!server && !accepted)}>
            {server ? 'Save' : 'Add'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
