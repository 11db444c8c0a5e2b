using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;

namespace Nexus.Benchmarks.Relay;

/// <summary>
/// Makes another .NET process run a full blocking garbage collection, as <c>dotnet-gcdump</c> does (an EventPipe session
/// that enables the runtime provider's GCHeapCollect keyword at verbose level induces one), and reads the managed heap
/// size that collection reports. Resident memory read afterwards holds live objects and native buffers, not garbage
/// that a later collection would have freed anyway (the GC may still keep some freed regions committed for a while).
/// </summary>
internal static class InducedGc
{
    private const long GcKeyword = 0x1;
    private const long GcHeapCollectKeyword = 0x800000;

    /// <summary>The managed heap in bytes after the induced collection (all generations, large and pinned object heaps).</summary>
    public static async Task<long> CollectAsync(int pid, CancellationToken cancellationToken)
    {
        long heap = -1;
        // Twice: objects with finalizers survive the first collection and are freed by the second.
        for (var i = 0; i < 2; i++)
        {
            var client = new DiagnosticsClient(pid);
            var provider = new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, GcKeyword | GcHeapCollectKeyword);
            using var session = await client.StartEventPipeSessionAsync(provider, requestRundown: false, circularBufferMB: 16, cancellationToken);
            var collected = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            using var source = new EventPipeEventSource(session.EventStream);
            // The heap statistics that follow the full collection; gen0/gen1 collections may come before it.
            var full = false;
            source.Clr.GCStart += start => full |= start.Depth == 2;
            source.Clr.GCHeapStats += stats =>
            {
                if (full)
                {
                    collected.TrySetResult(stats.TotalHeapSize);
                }
            };
            var processing = Task.Run(source.Process, cancellationToken);
            heap = await collected.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            await session.StopAsync(cancellationToken);
            await processing;
        }
        // The GC gives freed regions back to the OS shortly after the collection.
        await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
        return heap;
    }
}
