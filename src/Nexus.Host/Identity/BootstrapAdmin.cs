using System.Security.Cryptography;
using Nexus.Contracts.Identity;
using Nexus.Data;
using Nexus.Data.Access;
using Nexus.Data.Identity;

namespace Nexus.Host.Identity;

/// <summary>
/// First run: with no users at all, creates one global admin from <c>Nexus:Auth:BootstrapAdminEmail</c> /
/// <c>BootstrapAdminPassword</c>, or with a generated password that is printed once to stdout. The password never
/// goes through ILogger (log sinks keep and ship what they get); it exists only in that console block.
/// </summary>
internal sealed class BootstrapAdmin(INexusDatabase database, UserStore users, AuthOptions options, ILogger<BootstrapAdmin> logger) : IHostedService
{
    public const string DefaultEmail = "admin@nexus.local";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var email = string.IsNullOrWhiteSpace(options.BootstrapAdminEmail) ? DefaultEmail : options.BootstrapAdminEmail.Trim();
        var generated = string.IsNullOrEmpty(options.BootstrapAdminPassword);
        var password = generated ? Generate() : options.BootstrapAdminPassword!;

        bool created;
        try
        {
            created = await database.AsSystemAsync(async session =>
            {
                if (await users.CountAsync(session) > 0)
                {
                    return false;
                }
                await users.CreateAsync(session, new NewUser(email, PasswordRules.Hash(password), "Administrator", null, null, GlobalRole.Admin));
                return true;
            }, cancellationToken);
        }
        catch (DuplicateException)
        {
            // Another silo starting on the same empty database created it a moment earlier.
            created = false;
        }

        if (!created)
        {
            return;
        }
        logger.LogInformation("Created the bootstrap global admin {Email}", email);
        if (generated)
        {
            Console.Out.WriteLine($"""

                ================================================================
                 Nexus first run: a global admin was created.
                   email:    {email}
                   password: {password}
                 This password is shown only now. Sign in and change it.
                ================================================================

                """);
            await Console.Out.FlushAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // 18 random bytes, base64url: 24 characters from a 64-symbol alphabet (144 bits).
    private static string Generate() => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(18));
}
