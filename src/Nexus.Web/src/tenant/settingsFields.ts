import type { TenantSettings } from '../api/types';

export type NumberSettingKey = {
  [K in keyof TenantSettings]: TenantSettings[K] extends number ? K : never;
}[keyof TenantSettings];

export interface NumberField {
  key: NumberSettingKey;
  label: string;
  min: number;
  max: number;
  step: number;
  unit: string;
  /** The operator's limits on a tenant: only a global admin changes them. */
  globalAdminOnly?: boolean;
}

/** The numeric settings with the server's validated ranges (Tenants/TenantSettingsEndpoints.cs), grouped as shown. */
export const numberFieldGroups: { title: string; fields: NumberField[] }[] = [
  {
    title: 'Connections',
    fields: [
      { key: 'defaultConnectionTimeoutMs', label: 'Default connection timeout', min: 5_000, max: 120_000, step: 1_000, unit: 'ms' },
      { key: 'autoHealthCheckIntervalMs', label: 'Automatic health check interval', min: 60_000, max: 3_600_000, step: 1_000, unit: 'ms' },
      // The floor is the operator's (Nexus:Inventory:MinimumPollIntervalSeconds, 5 s by default); the server says which.
      { key: 'pollIntervalSeconds', label: 'Poll interval', min: 1, max: 300, step: 1, unit: 's' },
    ],
  },
  {
    title: 'Alerts',
    fields: [
      { key: 'alertSuccessRateThreshold', label: 'Success rate threshold', min: 50, max: 100, step: 0.1, unit: '%' },
      { key: 'alertLatencyThresholdMs', label: 'Latency threshold', min: 100, max: 5_000, step: 1, unit: 'ms' },
      { key: 'alertOfflineDurationSeconds', label: 'Offline duration before alerting', min: 10, max: 300, step: 1, unit: 's' },
    ],
  },
  {
    title: 'Consoles and limits',
    fields: [
      { key: 'consoleIdleTimeoutSeconds', label: 'Console idle timeout', min: 60, max: 86_400, step: 1, unit: 's' },
      { key: 'consoleMaxDurationSeconds', label: 'Console maximum duration', min: 60, max: 86_400, step: 1, unit: 's' },
      { key: 'consoleMaxSessionsPerTenant', label: 'Console sessions per tenant', min: 1, max: 1_000, step: 1, unit: '', globalAdminOnly: true },
      { key: 'serverQuota', label: 'Server quota', min: 1, max: 10_000, step: 1, unit: 'servers', globalAdminOnly: true },
    ],
  },
];

export const numberFields: NumberField[] = numberFieldGroups.flatMap((g) => g.fields);

/** The form's values: numbers as typed (strings), so a half-typed value is not lost or coerced. */
export type SettingsDraft = Omit<TenantSettings, NumberSettingKey | 'logoUrl' | 'notificationEmail'> &
  Record<NumberSettingKey, string> & { notificationEmail: string };

export function toDraft(settings: TenantSettings): SettingsDraft {
  const draft = { ...settings, notificationEmail: settings.notificationEmail ?? '' } as unknown as SettingsDraft & { logoUrl?: unknown };
  for (const field of numberFields) {
    draft[field.key] = String(settings[field.key]);
  }
  delete draft.logoUrl;
  return draft;
}

/** Field → message for what the server would refuse; empty when the draft may be sent. */
export function validateDraft(draft: SettingsDraft): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const key of ['primaryColor', 'secondaryColor', 'accentColor'] as const) {
    if (!/^#[0-9a-fA-F]{6}$/.test(draft[key])) {
      errors[key] = 'A colour as #rrggbb.';
    }
  }
  const email = draft.notificationEmail.trim();
  if (email && !/^[^\s@]+@[^\s@]+$/.test(email)) {
    errors.notificationEmail = 'Not a valid email address.';
  }
  for (const field of numberFields) {
    const text = draft[field.key].trim();
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) {
      errors[field.key] = 'A number is required.';
    } else if (value < field.min || value > field.max) {
      errors[field.key] = `Must be between ${field.min} and ${field.max}.`;
    } else if (field.step === 1 && !Number.isInteger(value)) {
      errors[field.key] = 'A whole number.';
    }
  }
  return errors;
}

/** The PUT body: only what changed (an absent field keeps its value; the operator limits are never sent by others). */
export function changedSettings(before: TenantSettings, draft: SettingsDraft): Partial<TenantSettings> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(draft)) {
    const field = numberFields.find((f) => f.key === key);
    const next = field ? Number(value) : key === 'notificationEmail' ? String(value).trim() : value;
    const previous = key === 'notificationEmail' ? (before.notificationEmail ?? '') : before[key as keyof TenantSettings];
    if (next !== previous) {
      body[key] = next;
    }
  }
  return body as Partial<TenantSettings>;
}
