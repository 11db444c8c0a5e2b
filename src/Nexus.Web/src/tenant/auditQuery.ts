import type { Query } from '../api/client';

/** The audit log's filters as the form holds them: dates as the `<input type="date">` strings (local days). */
export interface AuditFilters {
  action: string;
  targetType: string;
  from: string;
  to: string;
  search: string;
}

export const emptyAuditFilters: AuditFilters = { action: '', targetType: '', from: '', to: '', search: '' };

/**
 * The API's query for the filters. A day range is inclusive for the user ("from the 3rd to the 5th"), so `to`
 * becomes the start of the following day; both ends are sent as instants in the browser's time zone.
 */
export function auditQuery(filters: AuditFilters): Query {
  return {
    action: filters.action.trim() || undefined,
    targetType: filters.targetType.trim() || undefined,
    from: filters.from ? startOfLocalDay(filters.from, 0) : undefined,
    to: filters.to ? startOfLocalDay(filters.to, 1) : undefined,
    search: filters.search.trim() || undefined,
  };
}

/** A problem with the range, checked before asking the server, or null. */
export function rangeProblem(filters: AuditFilters): string | null {
  if (filters.from && filters.to && filters.from > filters.to) {
    return "'To' must not be before 'from'.";
  }
  return null;
}

function startOfLocalDay(day: string, addDays: number): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d + addDays).toISOString();
}

/** Known actions and target types for the filter pickers (free text is accepted too). */
export const auditActions = [
  'auth.login', 'auth.login_failed', 'auth.locked_out', 'auth.logout', 'auth.refresh_reused',
  'user.profile_updated', 'user.password_changed', 'user.created', 'user.updated', 'user.role_changed', 'user.deleted',
  'tenant.created', 'tenant.updated', 'tenant.deleted', 'tenant.member_added', 'tenant.member_role_changed',
  'tenant.member_removed', 'tenant.settings_updated', 'tenant.logo_updated', 'tenant.logo_deleted',
  'vm_grant.created', 'vm_grant.updated', 'vm_grant.deleted',
] as const;

export const auditTargetTypes = ['user', 'tenant', 'settings', 'vm_grant'] as const;
