import { describe, expect, it } from 'vitest';
import { auditQuery, emptyAuditFilters, rangeProblem } from './auditQuery';

describe('audit filters', () => {
  it('Empty_filters_send_no_parameters', () => {
    expect(Object.values(auditQuery(emptyAuditFilters)).filter((v) => v !== undefined)).toEqual([]);
  });

  it('Day_range_is_inclusive_of_the_last_day', () => {
    const query = auditQuery({ ...emptyAuditFilters, from: '2026-03-03', to: '2026-03-05' });
    expect(query.from).toBe(new Date(2026, 2, 3).toISOString());
    expect(query.to).toBe(new Date(2026, 2, 6).toISOString());
  });

  it('Text_filters_are_trimmed', () => {
    expect(auditQuery({ ...emptyAuditFilters, action: ' tenant.created ', search: '  acme ' })).toMatchObject({ action: 'tenant.created', search: 'acme' });
  });

  it('Reversed_range_is_reported', () => {
    expect(rangeProblem({ ...emptyAuditFilters, from: '2026-03-05', to: '2026-03-03' })).not.toBeNull();
    expect(rangeProblem({ ...emptyAuditFilters, from: '2026-03-05', to: '2026-03-05' })).toBeNull();
  });
});
