using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Nexus.Data.Access;
using Nexus.Data.Identity;
using Nexus.Host.Web;

namespace Nexus.Host.Identity;

/// <summary>
/// After a token's signature and lifetime check out, reads its user from the database: a deleted or disabled
/// account is refused at once rather than when the token expires, and the role used is today's.
/// </summary>
internal static class CallerLoader
{
    public static async Task OnTokenValidatedAsync(TokenValidatedContext context)
    {
        var subject = context.Principal?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        if (!Guid.TryParse(subject, out var userId))
        {
            context.Fail("The token names no user.");
            return;
        }
        var services = context.HttpContext.RequestServices;
        var database = services.GetRequiredService<INexusDatabase>();
        var users = services.GetRequiredService<UserStore>();
        var user = await database.AsUserAsync(userId, session => users.FindByIdAsync(session, userId), context.HttpContext.RequestAborted);
        if (user is null || user.Disabled)
        {
            context.Fail("The account no longer exists or is disabled.");
            return;
        }
        new CurrentUser(user.Id, user.Email, user.GlobalRole).AttachTo(context.HttpContext);
    }
}
