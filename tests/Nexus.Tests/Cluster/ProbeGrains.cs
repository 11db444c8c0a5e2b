using Nexus.Contracts.Hosting;

namespace Nexus.Tests.Cluster;

// Grains that exist only to exercise clustering and storage; the product's grains follow the same rules
// (a distinct state name per grain type, canonical keys).

[GenerateSerializer, Immutable]
public sealed record CounterReading([property: Id(0)] int Value, [property: Id(1)] string Silo);

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)] public int Value { get; set; }
}

public interface IProbeCounterGrain : IGrainWithStringKey
{
    Task<CounterReading> Increment();
    Task<CounterReading> Read();
}

public interface IOtherCounterGrain : IGrainWithStringKey
{
    Task<CounterReading> Increment();
    Task<CounterReading> Read();
}

public abstract class CounterGrainBase(IPersistentState<CounterState> state, ILocalSiloDetails silo) : Grain
{
    public async Task<CounterReading> Increment()
    {
        state.State.Value++;
        await state.WriteStateAsync();
        return Reading();
    }

    public Task<CounterReading> Read() => Task.FromResult(Reading());

    private CounterReading Reading() => new(state.State.Value, silo.SiloAddress.ToParsableString());
}

[Orleans.Placement.PreferLocalPlacement]
public sealed class ProbeCounterGrain(
    [PersistentState("probe-counter", OrleansNames.GrainStorage)] IPersistentState<CounterState> state,
    ILocalSiloDetails silo) : CounterGrainBase(state, silo), IProbeCounterGrain;

[Orleans.Placement.PreferLocalPlacement]
public sealed class OtherCounterGrain(
    [PersistentState("other-counter", OrleansNames.GrainStorage)] IPersistentState<CounterState> state,
    ILocalSiloDetails silo) : CounterGrainBase(state, silo), IOtherCounterGrain;
