import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { VmAction } from '../../api/vmTypes';
import { api } from '../../app/services';
import type { LiveVm } from '../../live/liveMirror';
import { ConfirmDialog } from '../../ui/Dialog';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { actionsFor } from '../../vms/vmList';

const labels: Record<VmAction, string> = {
  start: 'Start', stop: 'Stop', shutdown: 'Shut down', reboot: 'Reboot', reset: 'Reset', suspend: 'Suspend', resume: 'Resume',
};

/** Hard actions lose the guest's unsaved state, so they say so. */
const warnings: Partial<Record<VmAction, string>> = {
  stop: 'Stopping cuts the power: unsaved data in the guest is lost.',
  reset: 'Resetting is like pressing the reset button: unsaved data in the guest is lost.',
};

/** The power actions the caller may run on one VM, each behind a confirmation; the API answers 202 with a task. */
export function PowerMenu({ vm }: { vm: LiveVm }) {
  const [open, setOpen] = useState(false);
  const [action, setAction] = useState<VmAction | null>(null);
  const { guest } = vm;
  const run = useMutation({
    mutationFn: (a: VmAction) => api.vms.act(guest.serverId, guest.type, guest.vmId, a),
    meta: { inlineErrors: true, success: `${guest.name}: request sent.` },
    onSuccess: () => setAction(null),
  });
  const actions = actionsFor(vm);
  if (actions.length === 0) {
    return null;
  }
  return (
    <span className="user-menu">
      <button type="button" aria-haspopup="menu" aria-expanded={open} aria-label={`Power actions for ${guest.name}`} onClick={() => setOpen(!open)}>
        Power ▾
      </button>
      {open && (
        <div className="menu" role="menu">
          {actions.map((a) => (
            <button
              key={a}
              type="button"
              role="menuitem"
              onClick={() => {
                setOpen(false);
                run.reset();
                setAction(a);
              }}
            >
              {labels[a]}
            </button>
          ))}
        </div>
      )}
      {action && (
        <ConfirmDialog
          title={`${labels[action]} ${guest.name}?`}
          message={<p>{warnings[action] ?? `${guest.name} (${guest.vmId}) on ${guest.node}.`}</p>}
          confirmLabel={labels[action]}
          busy={run.isPending}
          error={run.error ? <ErrorNotice error={run.error} /> : null}
          onConfirm={() => run.mutate(action)}
          onClose={() => setAction(null)}
        />
      )}
    </span>
  );
}
