import { describe, expect, it } from 'vitest';
import type { TenantSettings } from '../api/types';
import { changedSettings, toDraft, validateDraft } from './settingsFields';

const defaults: TenantSettings = {
  primaryColor: '#1f4e8c',
  secondaryColor: '#3a6fb0',
  accentColor: '#0b7a75',
  notificationEmail: null,
  notifyOnServerOffline: true,
  notifyOnVmAction: false,
  notifyOnUserChanges: false,
  defaultConnectionTimeoutMs: 30_000,
  defaultVerifySsl: true,
  autoHealthCheckIntervalMs: 300_000,
  alertSuccessRateThreshold: 95,
  alertLatencyThresholdMs: 1_000,
  alertOfflineDurationSeconds: 60,
  consoleMaxSessionsPerTenant: 20,
  consoleIdleTimeoutSeconds: 900,
  consoleMaxDurationSeconds: 14_400,
  pollIntervalSeconds: 15,
  serverQuota: 50,
  logoUrl: '/api/tenants/x/logo?v=abc',
};

describe('settings form', () => {
  it('Unchanged_draft_is_valid_and_sends_nothing', () => {
    const draft = toDraft(defaults);
    expect(validateDraft(draft)).toEqual({});
    expect(changedSettings(defaults, draft)).toEqual({});
  });

  it('Values_outside_the_servers_ranges_are_refused', () => {
    const draft = {
      ...toDraft(defaults),
      pollIntervalSeconds: '0',
      defaultConnectionTimeoutMs: '120001',
      alertSuccessRateThreshold: '49.9',
      serverQuota: '',
      consoleIdleTimeoutSeconds: '60.5',
      primaryColor: '#12345',
      notificationEmail: 'not-an-email',
    };
    expect(validateDraft(draft)).toEqual({
      pollIntervalSeconds: 'Must be between 1 and 300.',
      defaultConnectionTimeoutMs: 'Must be between 5000 and 120000.',
      alertSuccessRateThreshold: 'Must be between 50 and 100.',
      serverQuota: 'A number is required.',
      consoleIdleTimeoutSeconds: 'A whole number.',
      primaryColor: 'A colour as #rrggbb.',
      notificationEmail: 'Not a valid email address.',
    });
  });

  it('Edges_of_the_ranges_are_accepted', () => {
    const draft = { ...toDraft(defaults), pollIntervalSeconds: '300', alertSuccessRateThreshold: '50', serverQuota: '10000' };
    expect(validateDraft(draft)).toEqual({});
  });

  it('Only_changed_fields_are_sent_as_numbers', () => {
    const draft = { ...toDraft(defaults), primaryColor: '#ff0000', pollIntervalSeconds: '30', notificationEmail: ' ops@example.com ' };
    expect(changedSettings(defaults, draft)).toEqual({ primaryColor: '#ff0000', pollIntervalSeconds: 30, notificationEmail: 'ops@example.com' });
  });
});
