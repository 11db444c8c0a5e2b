import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ImportResult, Server } from '../../api/serverTypes';
import { api } from '../../app/services';
import { Dialog } from '../../ui/Dialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Sparkline } from '../vms/Sparkline';

const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(0)} ms`);
/** The API accepts 5–120 s. */
const clampTimeout = (v: number) => Math.min(120_000, Math.max(5_000, Math.ceil(v / 100) * 100));

/** The connectivity test: each stage's time, why it failed, and the learned timeout to apply. */
export function TestDialog({ server, canEdit, onClose, onSaved }: { server: Server; canEdit: boolean; onClose: () => void; onSaved: () => void }) {
  const test = useQuery({ queryKey: ['server', server.id, 'test'], queryFn: () => api.servers.test(server.id), gcTime: 0, meta: { inlineErrors: true } });
  const apply = useMutation({
    mutationFn: (timeout: number) => api.servers.update(server.id, { connectionTimeoutMs: timeout }),
    meta: { success: 'Timeout applied.' },
    onSuccess: onSaved,
  });
  const r = test.data;
  return (
    <Dialog title={`Test ${server.name}`} onClose={onClose}>
      {test.isPending && <p role="status">Testing…</p>}
      <ErrorNotice error={test.error} />
      {r && (
        <dl className="facts">
          <dt>Result</dt>
          <dd>{r.success ? `Connected (Proxmox ${r.proxmoxVersion ?? '?'}, ${r.nodeCount ?? '?'} nodes)` : `Failed at ${r.failedStage}: ${r.error}`}</dd>
          <dt>Endpoint</dt>
          <dd>
            {r.endpoint} ({r.connectionType}
            {r.resolvedAddress ? `, ${r.resolvedAddress}` : ''})
          </dd>
          <dt>DNS</dt>
          <dd>{ms(r.timing.dnsMs)}</dd>
          <dt>TCP connect</dt>
          <dd>{ms(r.timing.tcpConnectMs)}</dd>
          <dt>TLS handshake</dt>
          <dd>{ms(r.timing.tlsHandshakeMs)}</dd>
          <dt>First byte</dt>
          <dd>{ms(r.timing.firstByteMs)}</dd>
          <dt>Total</dt>
          <dd>{ms(r.timing.totalMs)}</dd>
          <dt>Timeout</dt>
          <dd>
            {ms(r.currentTimeoutMs)} now, {ms(r.recommendedTimeoutMs)} recommended ({r.latencySamples} samples)
          </dd>
        </dl>
      )}
      <div className="actions">
        {r && canEdit && (
          <button type="button" disabled={apply.isPending} onClick={() => apply.mutate(clampTimeout(r.recommendedTimeoutMs))}>
            Apply recommended timeout
          </button>
        )}
        <button type="button" onClick={() => void test.refetch()} disabled={test.isFetching}>
          Test again
        </button>
        <button type="button" className="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}

/** CSV import: every record's outcome, so a bad line never hides the good ones. */
export function ImportDialog({ tenantId, onClose, onSaved }: { tenantId: string; onClose: () => void; onSaved: () => void }) {
  const [result, setResult] = useState<ImportResult | null>(null);
  const upload = useMutation({
    mutationFn: (file: File) => api.servers.importCsv(tenantId, file),
    meta: { inlineErrors: true },
    onSuccess: (r) => {
      setResult(r);
      onSaved();
    },
  });
  return (
    <Dialog title="Import servers from CSV" onClose={onClose}>
      <p className="muted">Columns: name, host, api_token; optional port, connection_timeout (s), fingerprint (SHA-256 pins separated by ;).</p>
      <input type="file" accept=".csv,text/csv" aria-label="CSV file" onChange={(e) => e.target.files?.[0] && upload.mutate(e.target.files[0])} />
      <ErrorNotice error={upload.error} />
      {result && (
        <>
          <p role="status">
            {result.created} created, {result.failed} failed
            {result.ignoredColumns.length > 0 && ` (ignored columns: ${result.ignoredColumns.join(', ')})`}
          </p>
          <table>
            <thead>
              <tr>
                <th>Line</th>
                <th>Name</th>
                <th>Result</th>
              </tr>
            </thead>
            <tbody>
              {result.rows.map((row) => (
                <tr key={row.row}>
                  <td>{row.row}</td>
                  <td>{row.name ?? '—'}</td>
                  <td className={row.status === 'created' ? 'outcome-success' : 'outcome-failure'}>{row.status === 'created' ? 'created' : row.error}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}

/** A server's connection history (hourly success rate and latency) and the timeouts it learned. */
export function ServerHistory({ server }: { server: Server }) {
  const [range, setRange] = useState('24h');
  const metrics = useQuery({ queryKey: ['server', server.id, 'metrics', range], queryFn: () => api.servers.metrics(server.id, range), meta: { inlineErrors: true } });
  const m = metrics.data;
  return (
    <section className="card" aria-label={`History of ${server.name}`}>
      <div className="page-head">
        <h2>{server.name}: connection history</h2>
        <select aria-label="Range" value={range} onChange={(e) => setRange(e.target.value)}>
          <option value="24h">24 hours</option>
          <option value="7d">7 days</option>
          <option value="30d">30 days</option>
        </select>
      </div>
      <ErrorNotice error={metrics.error} />
      {m && (
        <>
          <p className="muted">
            {m.summary.attempts} polls, {m.summary.successRate?.toFixed(1) ?? '—'} % successful, {ms(m.summary.avgLatencyMs)} on average
          </p>
          <div className="grid">
            <Sparkline label="Success rate %" values={m.hours.map((h) => h.successRate)} max={100} />
            <Sparkline label="Average latency (ms)" values={m.hours.map((h) => h.avgLatencyMs)} />
          </div>
          <h3>Learned timeouts</h3>
          <table>
            <thead>
              <tr>
                <th>Endpoint</th>
                <th>Request class</th>
                <th>Timeout</th>
                <th>Smoothed latency</th>
                <th>Samples</th>
              </tr>
            </thead>
            <tbody>
              {m.timeouts.map((t) => (
                <tr key={`${t.endpoint}/${t.requestClass}`}>
                  <td>{t.endpoint}</td>
                  <td>{t.requestClass}</td>
                  <td>{ms(t.timeoutMs)}</td>
                  <td>{ms(t.smoothedLatencyMs)}</td>
                  <td>{t.samples}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
