import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../../app/services';
import { auditActions, auditTargetTypes, emptyAuditFilters, rangeProblem, type AuditFilters } from '../../tenant/auditQuery';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { tenantKeys, useTenant } from './TenantLayout';

const pageSize = 25;

export default function AuditPage() {
  const { tenant } = useTenant();
  const [draft, setDraft] = useState<AuditFilters>(emptyAuditFilters);
  const [filters, setFilters] = useState<AuditFilters>(emptyAuditFilters);
  // Keyset paging: the cursors of the pages already seen, so "Newer" can go back.
  const [cursors, setCursors] = useState<(number | null)[]>([null]);
  const before = cursors[cursors.length - 1];
  const page = useQuery({
    queryKey: [...tenantKeys.audit(tenant.id), filters, before],
    queryFn: () => api.audit.page(tenant.id, filters, before, pageSize),
    placeholderData: keepPreviousData,
    meta: { inlineErrors: true },
  });
  const exportCsv = useMutation({
    mutationFn: () => api.audit.csv(tenant.id, filters),
    onSuccess: ({ blob, fileName }) => {
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName ?? `audit-log-${tenant.slug}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  const problem = rangeProblem(draft);
  const set = (key: keyof AuditFilters, value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (!problem) {
      setFilters(draft);
      setCursors([null]);
    }
  };

  return (
    <section className="page">
      <div className="page-head">
        <h1>Audit log</h1>
        {/* The export needs the bearer token, which a plain link cannot send: fetched, then saved as a file. */}
        <a
          href={`/api/tenants/${tenant.id}/audit.csv`}
          className="button"
          aria-disabled={exportCsv.isPending}
          onClick={(e) => {
            e.preventDefault();
            if (!exportCsv.isPending) {
              exportCsv.mutate();
            }
          }}
        >
          {exportCsv.isPending ? 'Exporting…' : 'Export CSV'}
        </a>
      </div>
      <form className="filters" onSubmit={apply} aria-label="Audit log filters">
        <Field label="Action">
          <input list="audit-actions" value={draft.action} onChange={(e) => set('action', e.target.value)} />
        </Field>
        <datalist id="audit-actions">
          {auditActions.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <Field label="Target type">
          <select value={draft.targetType} onChange={(e) => set('targetType', e.target.value)}>
            <option value="">Any</option>
            {auditTargetTypes.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </Field>
        <Field label="From">
          <input type="date" value={draft.from} onChange={(e) => set('from', e.target.value)} />
        </Field>
        <Field label="To" error={problem ?? undefined}>
          <input type="date" value={draft.to} onChange={(e) => set('to', e.target.value)} />
        </Field>
        <Field label="Text">
          <input type="search" value={draft.search} onChange={(e) => set('search', e.target.value)} placeholder="actor, target, details" />
        </Field>
        <div className="actions">
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(emptyAuditFilters);
              setFilters(emptyAuditFilters);
              setCursors([null]);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <ErrorNotice error={page.error} />
      {page.isPending && <p role="status">Loading the audit log…</p>}
      {page.data && (
        <>
          <table className="audit">
            <caption className="visually-hidden">Audit entries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Outcome</th>
                <th scope="col">Target</th>
                <th scope="col">Address</th>
              </tr>
            </thead>
            <tbody>
              {page.data.items.length === 0 && (
                <tr>
                  <td colSpan={6}>No entries match.</td>
                </tr>
              )}
              {page.data.items.map((entry) => (
                <tr key={entry.id}>
                  <td>
                    <time dateTime={entry.createdAt}>{new Date(entry.createdAt).toLocaleString()}</time>
                  </td>
                  <td>{entry.actorEmail ?? '—'}</td>
                  <td className="mono">{entry.action}</td>
                  <td>
                    <span className={`badge outcome-${entry.outcome}`}>{entry.outcome}</span>
                  </td>
                  <td>
                    {entry.targetType && <span className="muted">{entry.targetType}: </span>}
                    {entry.targetName ?? entry.targetId ?? '—'}
                  </td>
                  <td className="mono">{entry.clientIp ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Audit log pages">
            <button type="button" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              ← Newer
            </button>
            <span>Page {cursors.length}</span>
            <button
              type="button"
              disabled={page.data.nextBefore === null || page.isPlaceholderData}
              onClick={() => setCursors([...cursors, page.data.nextBefore])}
            >
              Older →
            </button>
          </nav>
        </>
      )}
    </section>
  );
}
