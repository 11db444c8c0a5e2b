using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Nexus.Host.Live;

/// <summary>
/// Browsers cannot set headers on a WebSocket (or an EventSource), so the SignalR client sends the access token
/// as the <c>access_token</c> query value. It is accepted on <c>/hubs/*</c> only, where the Authorization header
/// is absent; everywhere else a token in a URL stays ignored (URLs end up in histories and proxy logs). The
/// token is validated exactly like a header token, including the identity code's database re-check of the user.
/// </summary>
internal sealed class HubAccessToken : IPostConfigureOptions<JwtBearerOptions>
{
    public const string QueryName = "access_token";
    public static readonly PathString HubsPath = "/hubs";

    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        if (name != JwtBearerDefaults.AuthenticationScheme)
        {
            return;
        }
        options.Events ??= new JwtBearerEvents();
        var inner = options.Events.OnMessageReceived;
        options.Events.OnMessageReceived = async context =>
        {
            await inner(context);
            var request = context.HttpContext.Request;
            if (context.Token is null && request.Path.StartsWithSegments(HubsPath)
                && !request.Headers.Authorization.Any() && request.Query.TryGetValue(QueryName, out var token))
            {
                context.Token = token.ToString();
            }
        };
    }
}
