using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Nexus.Simulator.Access;

/// <summary>
/// Users, tokens and the authentication rules of pve-http-server + pve-manager's HTTPServer.pm:
/// a ticket (cookie, then <c>Authorization: PVEAuthCookie=</c>) wins over an API token; ticket writes need
/// the CSRF header; tokens never do.
/// </summary>
internal sealed partial class ClusterAccess(TicketAuthority tickets)
{
    public const string NoTicket = "No ticket";
    public const string AuthenticationFailed = "Authentication failed!";
    public const string InvalidCsrf = "Permission denied - invalid csrf token";

    private readonly ConcurrentDictionary<string, SimulatedUser> _users = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SimulatedToken> _tokens = new(StringComparer.Ordinal);

    public TicketAuthority Tickets { get; } = tickets;

    public IReadOnlyCollection<SimulatedToken> Tokens => _tokens.Values.OrderBy(t => t.FullTokenId, StringComparer.Ordinal).ToArray();

    public void AddUser(SimulatedUser user) => _users[user.UserId] = user;

    public void AddToken(SimulatedToken token) => _tokens[token.FullTokenId] = token;

    public bool RemoveToken(string fullTokenId) => _tokens.TryRemove(fullTokenId, out _);

    public SimulatedUser? FindUser(string userId) => _users.GetValueOrDefault(userId);

    public (Principal? Principal, string? Failure) Authenticate(HttpRequest request)
    {
        var ticket = CookieTicket(request) ?? AuthorizationValue(request, AuthCookieHeaderPattern());
        if (ticket is not null)
        {
            var userId = Tickets.VerifyTicket(ticket);
            var user = userId is null ? null : FindUser(userId);
            if (user is null || !user.Enabled)
            {
                return (null, AuthenticationFailed);
            }
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method)
                && !Tickets.VerifyCsrfToken(request.Headers["CSRFPreventionToken"].FirstOrDefault(), user.UserId))
            {
                return (null, InvalidCsrf);
            }
            return (new Principal(user.UserId, null, user.Privileges, user.Vmids, ViaTicket: true), null);
        }

        var tokenValue = AuthorizationValue(request, TokenHeaderPattern());
        if (tokenValue is null)
        {
            return (null, NoTicket);
        }
        var parts = TokenValuePattern().Match(tokenValue);
        if (!parts.Success
            || !_tokens.TryGetValue($"{parts.Groups["user"].Value}!{parts.Groups["token"].Value}", out var token)
            || !CryptographicOperations.FixedTimeEquals(
                Encoding.UTF8.GetBytes(token.Secret), Encoding.UTF8.GetBytes(parts.Groups["secret"].Value))
            || FindUser(token.UserId) is { Enabled: false })
        {
            return (null, AuthenticationFailed);
        }
        return (new Principal(token.UserId, token.TokenName, token.Privileges, token.Vmids, ViaTicket: false), null);
    }

    private static string? CookieTicket(HttpRequest request)
    {
        foreach (var header in request.Headers.Cookie)
        {
            var match = CookiePattern().Match(header ?? "");
            if (match.Success)
            {
                return Uri.UnescapeDataString(match.Groups[1].Value);
            }
        }
        return null;
    }

    private static string? AuthorizationValue(HttpRequest request, Regex pattern)
    {
        foreach (var header in request.Headers.Authorization)
        {
            var match = pattern.Match(header ?? "");
            if (match.Success)
            {
                return Uri.UnescapeDataString(match.Groups[1].Value);
            }
        }
        return null;
    }

    [GeneratedRegex(@"(?:^|\s|;)PVEAuthCookie=([^;]*)")]
    private static partial Regex CookiePattern();

    [GeneratedRegex(@"(?:^|\s)PVEAuthCookie=([^;]*)")]
    private static partial Regex AuthCookieHeaderPattern();

    // pve-http-server Formatter::extract_auth_value for tokens: "=" or a space after the prefix.
    [GeneratedRegex(@"(?:^|\s)PVEAPIToken(?:=| )([^;]*)")]
    private static partial Regex TokenHeaderPattern();

    [GeneratedRegex(@"^(?<user>[^!\s]+)!(?<token>[^=\s]+)=(?<secret>\S+)$")]
    private static partial Regex TokenValuePattern();
}
