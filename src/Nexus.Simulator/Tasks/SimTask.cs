namespace Nexus.Simulator.Tasks;

/// <summary>One worker task (pve-common RESTEnvironment fork_worker), identified by its UPID.</summary>
internal sealed class SimTask
{
    private readonly object _gate = new();
    private readonly List<string> _log = [];
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SimTask(string upid, string node, int pid, long pstart, long startTime, string type, string id, string user)
    {
        Upid = upid;
        Node = node;
        Pid = pid;
        PStart = pstart;
        StartTime = startTime;
        Type = type;
        Id = id;
        User = user;
    }

    public string Upid { get; }
    public string Node { get; }
    public int Pid { get; }
    public long PStart { get; }
    public long StartTime { get; }
    public string Type { get; }
    public string Id { get; }

    /// <summary>The principal: <c>user@realm</c> or <c>user@realm!token</c>.</summary>
    public string User { get; }

    public bool Running { get; private set; } = true;
    public string? ExitStatus { get; private set; }
    public long? EndTime { get; private set; }

    public Task Completion => _done.Task;

    public void Log(string line)
    {
        lock (_gate)
        {
            _log.Add(line);
        }
    }

    public IReadOnlyList<string> LogLines()
    {
        lock (_gate)
        {
            return _log.ToArray();
        }
    }

    /// <summary>Ends the task: <paramref name="error"/> null means <c>OK</c>.</summary>
    public void Finish(string? error, long endTime)
    {
        lock (_gate)
        {
            if (!Running)
            {
                return;
            }
            _log.Add(error is null ? "TASK OK" : $"TASK ERROR: {error}");
            ExitStatus = error ?? "OK";
            EndTime = endTime;
            Running = false;
        }
        _done.TrySetResult();
    }
}
