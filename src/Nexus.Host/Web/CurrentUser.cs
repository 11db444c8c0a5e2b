using Nexus.Contracts.Identity;

namespace Nexus.Host.Web;

/// <summary>
/// The authenticated caller as the database knows them at this request (not as the token claimed): an access
/// token of a user who has since been disabled or deleted is refused, and a role change applies at once.
/// <see cref="TokenGeneration"/> is the account's current one: tokens issued in an earlier one are refused.
/// </summary>
internal sealed record CurrentUser(Guid Id, string Email, GlobalRole Role, int TokenGeneration)
{
    private static readonly object Key = new();

    public bool IsGlobalAdmin => Role == GlobalRole.Admin;

    public void AttachTo(HttpContext context) => context.Items[Key] = this;

    /// <summary>The caller of an endpoint that requires authentication.</summary>
    public static CurrentUser Of(HttpContext context) =>
        context.Items[Key] as CurrentUser
        ?? throw new InvalidOperationException("The endpoint does not require authorization, so there is no current user.");

    public static CurrentUser? Find(HttpContext context) => context.Items[Key] as CurrentUser;

    /// <summary>Lets endpoints take the caller as a parameter.</summary>
    public static ValueTask<CurrentUser?> BindAsync(HttpContext context) => ValueTask.FromResult(Find(context));
}
