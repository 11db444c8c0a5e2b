namespace Nexus.Tests.Support;

/// <summary>Waits for a condition that becomes true asynchronously, failing with a description when it does not.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>As <see cref="TrueAsync(Func{bool}, TimeSpan, string)"/> for a condition that must ask (a scrape, a request);
    /// <paramref name="what"/> is read only on failure, so it can report the last value seen.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting until {what()}.");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Retries <paramref name="attempt"/> until it returns without throwing.</summary>
    public static async Task<T> ResultAsync<T>(Func<Task<T>> attempt, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception ex) when (DateTime.UtcNow < deadline && ex is not Xunit.Sdk.XunitException)
            {
                await Task.Delay(250);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}; last error: {ex.Message}", ex);
            }
        }
    }
}
