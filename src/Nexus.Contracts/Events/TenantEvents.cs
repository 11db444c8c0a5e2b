using Nexus.Contracts.Identity;
using Nexus.Contracts.Servers;
using Nexus.Contracts.Tenants;
using Nexus.Contracts.Vms;

namespace Nexus.Contracts.Events;

/// <summary>Where tenant events travel: one Orleans stream per tenant, <c>StreamId.Create(Namespace, tenantId)</c>
/// on the <see cref="Hosting.OrleansNames.StreamProvider"/> provider.</summary>
public static class TenantStreams
{
    public const string Namespace = "tenant";
}

/// <summary>
/// One event on a tenant's stream. <see cref="Version"/> increases by one per event within the tenant; a
/// client that sees a gap reloads its snapshot. Bodies describe new state (not increments), so applying one
/// twice is harmless.
/// </summary>
[GenerateSerializer, Immutable, Alias("nexus.events.TenantEvent")]
public sealed record TenantEvent(
    [property: Id(0)] Guid TenantId,
    [property: Id(1)] long Version,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] TenantEventBody Body);

/// <summary>The payload of a tenant event; one subtype per kind.</summary>
[GenerateSerializer, Immutable, Alias("nexus.events.TenantEventBody")]
public abstract record TenantEventBody;

/// <summary>A server's health, endpoint or poll results changed.</summary>
[GenerateSerializer, Immutable, Alias("nexus.events.ServerStatusChanged")]
public sealed record ServerStatusChanged([property: Id(0)] ServerStatus Status) : TenantEventBody;

/// <summary>Traffic moved between a server's primary and secondary path.</summary>
[GenerateSerializer, Immutable, Alias("nexus.events.ServerEndpointSwitched")]
public sealed record ServerEndpointSwitched(
    [property: Id(0)] Guid ServerId,
    [property: Id(1)] EndpointRole From,
    [property: Id(2)] EndpointRole To,
    [property: Id(3)] string Reason) : TenantEventBody;

/// <summary>One connection measurement (a poll or a probe) of a server.</summary>
[GenerateSerializer, Immutable, Alias("nexus.events.ServerMetricSampled")]
public sealed record ServerMetricSampled(
    [property: Id(0)] Guid ServerId,
    [property: Id(1)] bool Success,
    [property: Id(2)] double? LatencyMs,
    [property: Id(3)] EndpointRole Endpoint) : TenantEventBody;

/// <summary>Guests of one server that changed, appeared or disappeared since its previous poll.</summary>
[GenerateSerializer, Immutable, Alias("nexus.events.VmStatesChanged")]
public sealed record VmStatesChanged(
    [property: Id(0)] Guid ServerId,
    [property: Id(1)] IReadOnlyList<GuestState> Changed,
    [property: Id(2)] IReadOnlyList<VmAddress> Removed) : TenantEventBody;

/// <summary>A power action's task started, progressed or ended.</summary>
[GenerateSerializer, Immutable, Alias("nexus.events.VmTaskUpdated")]
public sealed record VmTaskUpdated([property: Id(0)] VmTask Task) : TenantEventBody;

[GenerateSerializer, Immutable, Alias("nexus.events.TenantStatsChanged")]
public sealed record TenantStatsChanged([property: Id(0)] TenantStats Stats) : TenantEventBody;

/// <summary>An alert raised once on the server (offline, degraded, recovered).</summary>
[GenerateSerializer, Immutable, Alias("nexus.events.ServerAlertRaised")]
public sealed record ServerAlertRaised(
    [property: Id(0)] Guid ServerId,
    [property: Id(1)] string ServerName,
    [property: Id(2)] string Kind,
    [property: Id(3)] string Message) : TenantEventBody;

/// <summary>An audit row was written for the tenant (notifications follow these).</summary>
[GenerateSerializer, Immutable, Alias("nexus.events.AuditAppended")]
public sealed record AuditAppended(
    [property: Id(0)] long AuditId,
    [property: Id(1)] string Action,
    [property: Id(2)] string? TargetType,
    [property: Id(3)] string? TargetName,
    [property: Id(4)] string Outcome) : TenantEventBody;

/// <summary>
/// A user's membership or VM grants in the tenant changed (<see cref="UserId"/> null: everyone's, e.g. the tenant
/// was deactivated or deleted). Published after the change is committed; each silo's live bridge re-reads the
/// access of that user's connections before it delivers the next event, so a revoked user stops receiving at once.
/// </summary>
[GenerateSerializer, Immutable, Alias("nexus.events.TenantAccessChanged")]
public sealed record TenantAccessChanged([property: Id(0)] Guid? UserId) : TenantEventBody;

/// <summary>A console session opened, connected, became active or closed (with its close code and reason).</summary>
[GenerateSerializer, Immutable, Alias("nexus.events.ConsoleSessionChanged")]
public sealed record ConsoleSessionChanged(
    [property: Id(0)] Guid SessionId,
    [property: Id(1)] Guid UserId,
    [property: Id(2)] VmAddress Vm,
    [property: Id(3)] Consoles.ConsoleSessionState State,
    [property: Id(4)] int? CloseCode,
    [property: Id(5)] string? CloseReason) : TenantEventBody;
