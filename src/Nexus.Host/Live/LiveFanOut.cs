using Microsoft.AspNetCore.SignalR;
using Nexus.Contracts.Events;
using Nexus.Contracts.Identity;
using Nexus.Contracts.Servers;

namespace Nexus.Host.Live;

/// <summary>
/// Turns one tenant event into this silo's sends: the event once to the groups that see the whole tenant, a
/// filtered copy to each grant-only user it concerns, and a <c>hidden</c> marker with the same version to
/// everyone else, so every connection sees every version and can detect a gap (Live/README.md).
/// <para>
/// Sends are not awaited: a browser that reads slowly must not hold up the tenant's other viewers. SignalR keeps
/// each connection's messages in the order they were handed to it (a connection's writes queue on its write
/// lock), and the group sends are issued one event after another by the tenant's single pump.
/// </para>
/// </summary>
internal sealed class LiveFanOut(IHubContext<LiveHub> hub, ILogger<LiveFanOut> logger)
{
    public void Deliver(TenantEvent e, LiveGroups groups, LiveViewers index)
    {
        var clients = hub.Clients;
        switch (e.Body)
        {
            case AuditAppended:
                // The audit log is the tenant admins' (PermissionPolicy: ViewAudit).
                Send(clients.Group(groups.Auditors), LiveEvent.From(e));
                var hidden = LiveEvent.Hidden(e);
                Send(clients.Group(groups.Members), hidden);
                Send(clients.Group(groups.GrantedVms), hidden);
                break;
            case VmStatesChanged states:
                Send(clients.Groups(groups.WholeTenant), LiveEvent.From(e));
                DeliverGrantedStates(e, states, groups, index);
                break;
            case VmTaskUpdated task:
                var full = LiveEvent.From(e);
                Send(clients.Groups(groups.WholeTenant), full);
                DeliverGrantedVm(e, task.Task.Vm, full, groups, index);
                break;
            case ConsoleSessionChanged console:
                DeliverConsoleSession(e, console, groups, index);
                break;
            default:
                // Server status, endpoints, metrics, alerts and tenant stats are the members' view of the tenant.
                Send(clients.Groups(groups.WholeTenant), LiveEvent.From(e));
                Send(clients.Group(groups.GrantedVms), LiveEvent.Hidden(e));
                break;
        }
    }

    /// <summary>The version as <c>hidden</c> to every connection of the tenant.</summary>
    public void DeliverHidden(TenantEvent e, LiveGroups groups) =>
        Send(hub.Clients.Groups(groups.Everyone), LiveEvent.Hidden(e));

    /// <summary>Sends <paramref name="message"/> to specific connections (rare: access changes).</summary>
    public void SendTo(IReadOnlyList<string> connections, string method, object message)
    {
        if (connections.Count > 0)
        {
            Send(hub.Clients.Clients(connections), method, message);
        }
    }

    private void DeliverGrantedStates(TenantEvent e, VmStatesChanged states, LiveGroups groups, LiveViewers index)
    {
        Dictionary<LiveViewer, (List<GuestState> Changed, List<VmAddress> Removed)>? hits = null;
        if (index.ByVm.Count > 0)
        {
            foreach (var guest in states.Changed)
            {
                if (index.ByVm.TryGetValue((guest.ServerId, guest.Type, guest.VmId), out var viewers))
                {
                    foreach (var viewer in viewers)
                    {
                        Hit(ref hits, viewer).Changed.Add(guest);
                    }
                }
            }
            foreach (var removed in states.Removed)
            {
                if (index.ByVm.TryGetValue(LiveViewers.Key(removed), out var viewers))
                {
                    foreach (var viewer in viewers)
                    {
                        Hit(ref hits, viewer).Removed.Add(removed);
                    }
                }
            }
        }
        if (hits is null)
        {
            Send(hub.Clients.Group(groups.GrantedVms), LiveEvent.Hidden(e));
            return;
        }
        var served = new List<string>();
        foreach (var (viewer, mine) in hits)
        {
            Send(hub.Clients.Group(viewer.UserGroup), LiveEvent.WithBody(e, new VmStatesChanged(states.ServerId, mine.Changed, mine.Removed)));
            served.AddRange(viewer.Connections);
        }
        Send(hub.Clients.GroupExcept(groups.GrantedVms, served), LiveEvent.Hidden(e));
    }

    private void DeliverGrantedVm(TenantEvent e, VmAddress vm, LiveEvent full, LiveGroups groups, LiveViewers index)
    {
        if (!index.ByVm.TryGetValue(LiveViewers.Key(vm), out var viewers))
        {
            Send(hub.Clients.Group(groups.GrantedVms), LiveEvent.Hidden(e));
            return;
        }
        var served = new List<string>();
        foreach (var viewer in viewers)
        {
            Send(hub.Clients.Group(viewer.UserGroup), full);
            served.AddRange(viewer.Connections);
        }
        Send(hub.Clients.GroupExcept(groups.GrantedVms, served), LiveEvent.Hidden(e));
    }

    // As the sessions API: tenant admins see every session, anyone else only their own.
    private void DeliverConsoleSession(TenantEvent e, ConsoleSessionChanged console, LiveGroups groups, LiveViewers index)
    {
        Send(hub.Clients.Group(groups.Auditors), LiveEvent.From(e));
        var hidden = LiveEvent.Hidden(e);
        if (index.ByUser.TryGetValue(console.UserId, out var owner) && owner.Audience.Kind != LiveAudienceKind.Auditor)
        {
            Send(hub.Clients.Clients(owner.Connections), LiveEvent.From(e));
            Send(hub.Clients.GroupExcept(groups.Members, owner.Connections), hidden);
            Send(hub.Clients.GroupExcept(groups.GrantedVms, owner.Connections), hidden);
            return;
        }
        Send(hub.Clients.Group(groups.Members), hidden);
        Send(hub.Clients.Group(groups.GrantedVms), hidden);
    }

    private static (List<GuestState> Changed, List<VmAddress> Removed) Hit(
        ref Dictionary<LiveViewer, (List<GuestState> Changed, List<VmAddress> Removed)>? hits, LiveViewer viewer)
    {
        hits ??= new Dictionary<LiveViewer, (List<GuestState>, List<VmAddress>)>(ReferenceEqualityComparer.Instance);
        if (!hits.TryGetValue(viewer, out var lists))
        {
            lists = ([], []);
            hits[viewer] = lists;
        }
        return lists;
    }

    private void Send(IClientProxy clients, LiveEvent message) => Send(clients, LiveMethods.Event, message);

    private void Send(IClientProxy clients, string method, object message)
    {
        var sending = clients.SendAsync(method, message);
        if (!sending.IsCompletedSuccessfully)
        {
            _ = ObserveAsync(sending);
        }
    }

    private async Task ObserveAsync(Task sending)
    {
        try
        {
            await sending;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A connection closing while it is written to; it reconnects and resyncs.
            logger.LogDebug(ex, "A live message could not be written");
        }
    }
}
