import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/problem';
import type { TenantSettings } from '../../api/types';
import { api } from '../../app/services';
import { isHexColour } from '../../tenant/branding';
import { changedSettings, numberFieldGroups, toDraft, validateDraft, type SettingsDraft } from '../../tenant/settingsFields';
import { ConfirmDialog } from '../../ui/Dialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { Field } from '../../ui/Field';
import { useLogoUrl } from '../../ui/hooks';
import { tenantKeys, useTenant } from './TenantLayout';

export default function SettingsPage() {
  const { tenant, settings, can } = useTenant();
  if (!settings) {
    return <p role="status">Loading settings…</p>;
  }
  return (
    <section className="page">
      <h1>Settings</h1>
      <LogoSection tenantId={tenant.id} settings={settings} editable={can.manageSettings} />
      <SettingsForm key={JSON.stringify(settings)} tenantId={tenant.id} settings={settings} editable={can.manageSettings} operator={can.changeOperatorLimits} />
    </section>
  );
}

const colourFields = [
  { key: 'primaryColor', label: 'Primary colour', hint: 'Header and main buttons.' },
  { key: 'secondaryColor', label: 'Secondary colour', hint: 'Navigation highlights.' },
  { key: 'accentColor', label: 'Accent colour', hint: 'Links and focus rings.' },
] as const;

function SettingsForm({ tenantId, settings, editable, operator }: { tenantId: string; settings: TenantSettings; editable: boolean; operator: boolean }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<SettingsDraft>(() => toDraft(settings));
  const [local, setLocal] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: (body: Partial<TenantSettings>) => api.settings.put(tenantId, body),
    onSuccess: (saved) => queryClient.setQueryData(tenantKeys.settings(tenantId), saved),
    meta: { inlineErrors: true, success: 'Settings saved.' },
  });
  const server = save.error instanceof ApiError ? save.error : null;
  const errorOf = (key: string) => local[key] ?? server?.fieldError(key);
  const set = <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const problems = validateDraft(draft);
    setLocal(problems);
    if (Object.keys(problems).length > 0) {
      document.getElementById(`setting-${Object.keys(problems)[0]}`)?.focus();
      return;
    }
    const body = changedSettings(settings, draft);
    if (Object.keys(body).length === 0) {
      return;
    }
    save.mutate(body);
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Tenant settings">
      <fieldset disabled={!editable || save.isPending}>
        <legend>Branding</legend>
        <div className="row">
          {colourFields.map((f) => (
            <Field key={f.key} label={f.label} hint={f.hint} error={errorOf(f.key)}>
              <ColourInput id={`setting-${f.key}`} value={draft[f.key]} onChange={(v) => set(f.key, v)} />
            </Field>
          ))}
        </div>
      </fieldset>
      <fieldset disabled={!editable || save.isPending}>
        <legend>Notifications</legend>
        <Field label="Notification email" error={errorOf('notificationEmail')} hint="Leave blank for none.">
          <input id="setting-notificationEmail" type="email" value={draft.notificationEmail} onChange={(e) => set('notificationEmail', e.target.value)} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={draft.notifyOnServerOffline} onChange={(e) => set('notifyOnServerOffline', e.target.checked)} /> When a server goes offline
        </label>
        <label className="check">
          <input type="checkbox" checked={draft.notifyOnVmAction} onChange={(e) => set('notifyOnVmAction', e.target.checked)} /> On VM power actions
        </label>
        <label className="check">
          <input type="checkbox" checked={draft.notifyOnUserChanges} onChange={(e) => set('notifyOnUserChanges', e.target.checked)} /> When members change
        </label>
      </fieldset>
      {numberFieldGroups.map((group) => (
        <fieldset key={group.title} disabled={!editable || save.isPending}>
          <legend>{group.title}</legend>
          {group.title === 'Connections' && (
            <label className="check">
              <input type="checkbox" checked={draft.defaultVerifySsl} onChange={(e) => set('defaultVerifySsl', e.target.checked)} /> Verify TLS certificates by default
            </label>
          )}
          <div className="grid">
            {group.fields.map((f) => (
              <Field
                key={f.key}
                label={`${f.label}${f.unit ? ` (${f.unit})` : ''}`}
                hint={`${f.min}–${f.max}${f.globalAdminOnly && !operator ? '; set by a global admin' : ''}`}
                error={errorOf(f.key)}
              >
                <input
                  id={`setting-${f.key}`}
                  type="number"
                  inputMode="decimal"
                  min={f.min}
                  max={f.max}
                  step={f.step}
                  value={draft[f.key]}
                  disabled={f.globalAdminOnly && !operator}
                  onChange={(e) => set(f.key, e.target.value)}
                />
              </Field>
            ))}
          </div>
        </fieldset>
      ))}
      {server && <ErrorNotice error={server} />}
      {editable && (
        <div className="actions">
          <button type="submit" className="primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save settings'}
          </button>
        </div>
      )}
    </form>
  );
}

/** A colour picker with the same value as text, so it can be typed or pasted and read by a screen reader. */
function ColourInput({ value, onChange, ...rest }: { id?: string; value: string; onChange: (v: string) => void }) {
  return (
    <span className="colour-input">
      <input type="color" aria-label="Pick a colour" value={isHexColour(value) ? value : '#000000'} onChange={(e) => onChange(e.target.value)} tabIndex={-1} />
      <input {...rest} type="text" value={value} maxLength={7} spellCheck={false} onChange={(e) => onChange(e.target.value.trim())} />
    </span>
  );
}

const accepted = 'image/png,image/jpeg,image/webp';

function LogoSection({ tenantId, settings, editable }: { tenantId: string; settings: TenantSettings; editable: boolean }) {
  const queryClient = useQueryClient();
  const logo = useLogoUrl(settings.logoUrl);
  const input = useRef<HTMLInputElement>(null);
  const [confirm, setConfirm] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: tenantKeys.settings(tenantId) });
  const upload = useMutation({
    mutationFn: (file: File) => api.settings.uploadLogo(tenantId, file),
    onSuccess: refresh,
    onSettled: () => {
      if (input.current) {
        input.current.value = '';
      }
    },
    meta: { inlineErrors: true, success: 'Logo uploaded.' },
  });
  const remove = useMutation({
    mutationFn: () => api.settings.deleteLogo(tenantId),
    onSuccess: () => {
      setConfirm(false);
      void refresh();
    },
    meta: { inlineErrors: true, success: 'Logo deleted.' },
  });
  return (
    <fieldset className="logo-section" disabled={!editable}>
      <legend>Logo</legend>
      <div className="row">
        <div className="logo-preview">{logo ? <img src={logo} alt="Current logo" /> : <span className="muted">No logo</span>}</div>
        {editable && (
          <div>
            <Field label="Upload a logo" hint="PNG, JPEG or WebP, at most 2 MiB.">
              <input
                ref={input}
                type="file"
                accept={accepted}
                disabled={upload.isPending}
                onChange={(e) => {
                  const file = e.target.files?.[0];
                  if (file) {
                    upload.mutate(file);
                  }
                }}
              />
            </Field>
            {settings.logoUrl && (
              <button type="button" className="danger" onClick={() => setConfirm(true)}>
                Delete logo
              </button>
            )}
          </div>
        )}
      </div>
      <ErrorNotice error={upload.error} />
      {confirm && (
        <ConfirmDialog
          title="Delete logo"
          message={<p>Delete the tenant's logo?</p>}
          confirmLabel="Delete"
          busy={remove.isPending}
          error={<ErrorNotice error={remove.error} />}
          onConfirm={() => remove.mutate()}
          onClose={() => setConfirm(false)}
        />
      )}
    </fieldset>
  );
}
