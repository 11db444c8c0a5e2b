import { describe, expect, it } from 'vitest';
import type { Me } from '../api/types';
import { tenantAbilities } from './permissions';

const user = (globalRole: Me['globalRole'], role?: 'admin' | 'manager' | 'viewer'): Me => ({
  id: 'u', email: 'u@example.com', fullName: null, username: null, company: null, globalRole, createdAt: '',
  tenants: role ? [{ tenantId: 't', name: 'T', slug: 't', role }] : [],
});

describe('tenant abilities (PermissionPolicy in the UI)', () => {
  it('Tenant_admin_manages_the_tenant_but_not_the_operator_limits', () => {
    expect(tenantAbilities(user('user', 'admin'), 't')).toMatchObject({
      manageMembers: true, manageVmGrants: true, manageSettings: true, viewAudit: true, manageTenant: false, changeOperatorLimits: false,
    });
  });

  it('Manager_and_viewer_see_no_administration', () => {
    for (const role of ['manager', 'viewer'] as const) {
      expect(tenantAbilities(user('user', role), 't')).toMatchObject({ manageMembers: false, manageSettings: false, viewAudit: false });
    }
  });

  it('Managers_add_and_edit_servers_only_admins_delete_them_viewers_neither', () => {
    expect(tenantAbilities(user('user', 'manager'), 't')).toMatchObject({ manageServers: true, deleteServers: false });
    expect(tenantAbilities(user('user', 'viewer'), 't')).toMatchObject({ manageServers: false, deleteServers: false });
    expect(tenantAbilities(user('user', 'admin'), 't')).toMatchObject({ manageServers: true, deleteServers: true });
  });

  it('Global_admin_may_do_everything_without_being_a_member', () => {
    expect(tenantAbilities(user('admin'), 't')).toMatchObject({ role: null, manageMembers: true, manageTenant: true, changeOperatorLimits: true });
  });

  it('Every_member_sees_monitoring_a_grant_only_user_does_not', () => {
    for (const role of ['admin', 'manager', 'viewer'] as const) {
      expect(tenantAbilities(user('user', role), 't').viewMonitoring).toBe(true);
    }
    expect(tenantAbilities(user('admin'), 't').viewMonitoring).toBe(true);
    expect(tenantAbilities(user('user'), 't').viewMonitoring).toBe(false);
  });

  it('Membership_of_another_tenant_gives_nothing_here', () => {
    expect(tenantAbilities(user('user', 'admin'), 'other')).toMatchObject({ role: null, manageMembers: false });
  });
});
