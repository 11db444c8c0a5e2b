using System.Net;

namespace Nexus.Data.Audit;

/// <summary>How an audited attempt ended.</summary>
public enum AuditOutcome
{
    Success,
    Failure,
    Denied,
}

/// <summary>
/// One event to record. <paramref name="ActorId"/> must be the session's user under the application role (the
/// database refuses anything else); under the worker role it may be null (system events) or anyone.
/// <paramref name="DetailsJson"/> is a JSON object; never put secrets in it. <paramref name="TenantId"/> is
/// null for installation-wide actions.
/// </summary>
public sealed record AuditEntry(
    Guid? TenantId,
    Guid? ActorId,
    string Action,
    AuditOutcome Outcome,
    string? TargetType = null,
    string? TargetId = null,
    string? TargetName = null,
    string? DetailsJson = null,
    IPAddress? ClientIp = null,
    string? UserAgent = null);

/// <summary>A stored event.</summary>
public sealed record AuditRecord(
    long Id,
    DateTime CreatedAt,
    Guid? TenantId,
    Guid? ActorId,
    string? ActorEmail,
    string Action,
    AuditOutcome Outcome,
    string? TargetType,
    string? TargetId,
    string? TargetName,
    string DetailsJson,
    IPAddress? ClientIp,
    string? UserAgent);

/// <summary>
/// Filters for reading the log. <paramref name="TenantId"/> null: every row the caller may read (a global admin:
/// all, including installation-wide events). Times are inclusive-from, exclusive-to. Paging is by keyset:
/// pass the last row's id as <paramref name="BeforeId"/> for the next page.
/// </summary>
public sealed record AuditQuery(
    Guid? TenantId = null,
    string? Action = null,
    Guid? ActorId = null,
    AuditOutcome? Outcome = null,
    string? TargetType = null,
    DateTime? From = null,
    DateTime? To = null,
    string? Search = null,
    long? BeforeId = null,
    int Limit = 50);
