using System.Collections.Concurrent;
using System.Text.Json;
using Nexus.Contracts.Events;

namespace Nexus.Host.Live;

/// <summary>The names of the hub's client methods and event types (Live/README.md describes them).</summary>
internal static class LiveMethods
{
    /// <summary>Every tenant event, one per version, to every joined connection (possibly as <see cref="HiddenType"/>).</summary>
    public const string Event = "event";

    /// <summary>The connection lost its access to a tenant; it receives nothing more of it.</summary>
    public const string AccessRevoked = "accessRevoked";

    /// <summary>A version the connection may not see the content of: it only keeps the version sequence whole.</summary>
    public const string HiddenType = "hidden";

    /// <summary>The receiving user's access changed (a grant or a role): reload the snapshot.</summary>
    public const string AccessChangedType = "accessChanged";

    private static readonly ConcurrentDictionary<Type, string> TypeNames = new();

    /// <summary><c>VmStatesChanged</c> → <c>vmStatesChanged</c>: a new event body type gets its name without a table.</summary>
    public static string TypeOf(TenantEventBody body) =>
        TypeNames.GetOrAdd(body.GetType(), t => JsonNamingPolicy.CamelCase.ConvertName(t.Name));
}

/// <summary>
/// The payload of <see cref="LiveMethods.Event"/>. <see cref="Body"/> is the event's body (for a grant-only user,
/// a <c>vmStatesChanged</c> holds only their VMs), null for <c>hidden</c> and <c>accessChanged</c>.
/// </summary>
internal sealed record LiveEvent(Guid TenantId, long Version, DateTimeOffset At, string Type, object? Body)
{
    public static LiveEvent From(TenantEvent e) => new(e.TenantId, e.Version, e.At, LiveMethods.TypeOf(e.Body), e.Body);

    public static LiveEvent Hidden(TenantEvent e) => new(e.TenantId, e.Version, e.At, LiveMethods.HiddenType, null);

    public static LiveEvent WithBody(TenantEvent e, TenantEventBody body) => new(e.TenantId, e.Version, e.At, LiveMethods.TypeOf(body), body);

    public static LiveEvent AccessChanged(TenantEvent e) => new(e.TenantId, e.Version, e.At, LiveMethods.AccessChangedType, null);
}

/// <summary>The payload of <see cref="LiveMethods.AccessRevoked"/>.</summary>
internal sealed record LiveAccessRevoked(Guid TenantId, long Version);
