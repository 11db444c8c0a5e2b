using Microsoft.Extensions.Options;
using Nexus.Contracts.Hosting;
using Nexus.Host.Observability;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;

namespace Nexus.Host.Cluster;

internal static class SiloConfiguration
{
    // Orleans loads Npgsql's factory by this invariant name (AdoNetInvariants.InvariantNamePostgreSql).
    private const string Invariant = "Npgsql";

    /// <summary>
    /// Co-hosts the silo. Must run before anything that calls grains is registered: UseOrleans adds the silo's
    /// hosted service, and Kestrel is appended after every hosted service, so requests arrive only once the
    /// silo is active (../shared/reference/orleans.md §1.2).
    /// </summary>
    public static void AddNexusSilo(this WebApplicationBuilder builder, SiloOptions silo, string connectionString, Action<ISiloBuilder>? customize,
        ObservabilityOptions? observability = null)
    {
        builder.UseOrleans(siloBuilder =>
        {
            siloBuilder.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = silo.ClusterId;
                o.ServiceId = silo.ServiceId;
            });
            siloBuilder.ConfigureEndpoints(silo.ParsedAdvertisedAddress, silo.SiloPort, silo.GatewayPort, silo.ListenOnAnyAddress);

            siloBuilder.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            });
            siloBuilder.UseAdoNetReminderService(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            });
            siloBuilder.AddAdoNetGrainStorage(OrleansNames.GrainStorage, o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
                // System.Text.Json instead of the default Newtonsoft serializer with TypeNameHandling.All, whose
                // "$type" names would break every stored row when a state class is renamed or moved (orleans.md §7.1).
                o.GrainStorageSerializer = new SystemTextJsonGrainStorageSerializer(Options.Create(new SystemTextJsonGrainStorageSerializerOptions()));
            });

            // The pulling agents look for new events every 100 ms by default: up to 100 ms on every live update
            // (issue 6 wants p99 <= 250 ms end to end). 25 ms costs a few hundred cheap local calls a second per cluster.
            siloBuilder.AddMemoryStreams(OrleansNames.StreamProvider, streams => streams.ConfigurePullingAgent(agent =>
                agent.Configure(options => options.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(25))));
            // Who subscribes to which tenant stream must outlive the silo that keeps that record: memory storage lives
            // in a few grains spread over the silos, and when one of them leaves (a rolling restart) the streams it
            // kept lose their subscribers for good. Orleans' own serializer: the state holds grain references.
            siloBuilder.AddAdoNetGrainStorage(OrleansNames.PubSubStore, o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            });
            if (observability is not null)
            {
                siloBuilder.AddNexusObservability(observability, builder.Configuration);
            }

            customize?.Invoke(siloBuilder);
        });
    }
}
