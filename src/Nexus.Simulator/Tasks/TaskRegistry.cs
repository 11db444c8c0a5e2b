using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Nexus.Simulator.Tasks;

/// <summary>The tasks of one cluster, with UPIDs in pve-common UPID.pm's exact format.</summary>
internal sealed partial class TaskRegistry(TimeProvider clock, int seed)
{
    private const int Keep = 2000;
    private readonly ConcurrentDictionary<string, SimTask> _tasks = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _order = new();
    private int _pid = 100_000 + (Math.Abs(seed) % 900_000);

    public SimTask Start(string node, long nodePStart, string type, string id, string user)
    {
        var pid = Interlocked.Increment(ref _pid);
        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        // pstart is the worker's start in clock ticks since boot: the node's boot pstart plus its uptime.
        var pstart = nodePStart + (pid % 100_000) * 7;
        var upid = string.Create(CultureInfo.InvariantCulture,
            $"UPID:{node}:{pid:X8}:{pstart:X8}:{now:X8}:{type}:{id}:{user}:");
        var task = new SimTask(upid, node, pid, pstart, now, type, id, user);
        _tasks[upid] = task;
        _order.Enqueue(upid);
        Trim();
        return task;
    }

    public SimTask? Find(string upid) => _tasks.GetValueOrDefault(upid);

    public IEnumerable<SimTask> OnNode(string node) =>
        _tasks.Values.Where(t => t.Node == node).OrderByDescending(t => t.StartTime).ThenByDescending(t => t.Pid);

    public long Now() => clock.GetUtcNow().ToUnixTimeSeconds();

    public static bool IsWellFormed(string upid) => UpidPattern().IsMatch(upid);

    private void Trim()
    {
        while (_order.Count > Keep && _order.TryPeek(out var oldest) && _tasks.TryGetValue(oldest, out var task) && !task.Running)
        {
            if (_order.TryDequeue(out var removed))
            {
                _tasks.TryRemove(removed, out _);
            }
        }
    }

    // pve-common UPID.pm decode pattern.
    [GeneratedRegex(@"^UPID:([a-zA-Z0-9]([a-zA-Z0-9\-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$")]
    private static partial Regex UpidPattern();
}
