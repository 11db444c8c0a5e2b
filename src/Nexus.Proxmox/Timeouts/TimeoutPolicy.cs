namespace Nexus.Proxmox.Timeouts;

/// <summary>Bounds of the learned timeout for one request class.</summary>
/// <param name="Initial">Used before any sample (RFC 6298 uses 1 s for TCP; an API call needs more, the seed used 10 s).</param>
/// <param name="Floor">Never less: a guard for the first samples and for scheduler/GC stalls on our side; the long PVE tail
/// (pvedaemon forks, pmxcfs locks) is covered by the estimator's windowed p99.5, not by the floor.</param>
/// <param name="Ceiling">Never more, also the cap of the back-off after timeouts.</param>
public sealed record TimeoutPolicy(TimeSpan Initial, TimeSpan Floor, TimeSpan Ceiling)
{
    /// <summary>250 ms floor: a LAN read takes 5–100 ms, so the floor only matters for near-idle endpoints, where it
    /// still rides out a 100–200 ms GC or scheduler stall on a busy 2-core host.</summary>
    public static TimeoutPolicy Read { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));

    /// <summary>Same floor as reads: a list is larger but served from the same pmxcfs cache; its size shows in the learned value.</summary>
    public static TimeoutPolicy List { get; } = new(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(60));

    /// <summary>Power actions only wait for the UPID (the task runs on), but start can hold pvedaemon for seconds.</summary>
    public static TimeoutPolicy Action { get; } = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(120));

    public static TimeoutPolicy Console { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));

    public static TimeoutPolicy For(RequestClass requestClass) => requestClass switch
    {
        RequestClass.Read => Read,
        RequestClass.List => List,
        RequestClass.Action => Action,
        RequestClass.Console => Console,
        _ => throw new ArgumentOutOfRangeException(nameof(requestClass), requestClass, null),
    };

    internal void Validate()
    {
        if (Floor <= TimeSpan.Zero || Ceiling < Floor || Initial < Floor || Initial > Ceiling)
        {
            throw new ArgumentException($"Timeout policy needs 0 < floor ≤ initial ≤ ceiling; got {this}.");
        }
    }
}
