namespace Nexus.Simulator.Clusters;

/// <summary>Builds a plausible, seed-deterministic cluster: nodes, a mix of VMs and containers, storages.</summary>
internal static class InventoryGenerator
{
    private static readonly string[] Roles =
        ["web", "db", "cache", "mail", "dns", "build", "git", "mon", "proxy", "app", "api", "worker", "backup", "vpn", "files"];

    private static readonly string[] TagPool = ["prod", "dev", "staging", "web", "db", "backup", "critical", "linux", "windows"];

    private static readonly string[] Tenants = ["tenant-a", "tenant-b", "tenant-c", "tenant-d"];

    public static ClusterInventory Create(int seed, int clusterIndex, int nodeCount, int guestCount, double containerShare, DateTimeOffset now)
    {
        // Not HashCode.Combine: it is randomized per process, and the same seed must give the same inventory on every run.
        var random = new Random(unchecked((seed * 1_000_003) + clusterIndex));
        var nodes = Enumerable.Range(1, nodeCount).Select(i => new SimNode
        {
            Name = $"pve{i}",
            NodeId = nodeCount == 1 ? 0 : i,
            Ip = $"10.{clusterIndex / 250 % 250}.{clusterIndex % 250}.{10 + i}",
            MaxCpu = new[] { 16, 24, 32, 48, 64 }[random.Next(5)],
            MaxMem = (long)new[] { 64, 128, 256, 384 }[random.Next(4)] * 1024 * 1024 * 1024,
            MaxDisk = (long)(100 + random.Next(900)) * 1024 * 1024 * 1024,
            BootedAt = now.AddSeconds(-(3_600 + random.Next(90 * 86_400))),
            PStart = 1_000 + random.Next(50_000),
        }).ToArray();

        var guests = new List<SimGuest>(guestCount);
        for (var i = 0; i < guestCount; i++)
        {
            var vmid = 100 + i;
            var lxc = random.NextDouble() < containerShare;
            var template = random.NextDouble() < 0.05;
            var tags = TagPool.OrderBy(_ => random.Next()).Take(random.Next(3)).Order(StringComparer.Ordinal).ToArray();
            var memGiB = new[] { 0.5, 1, 2, 4, 8, 16 }[random.Next(6)];
            var guest = new SimGuest
            {
                Vmid = vmid,
                Type = lxc ? "lxc" : "qemu",
                Name = template
                    ? $"tpl-{Roles[random.Next(Roles.Length)]}-{(lxc ? "ct" : "vm")}"
                    : $"{Roles[random.Next(Roles.Length)]}-{i + 1:00}",
                Node = nodes[random.Next(nodes.Length)].Name,
                Tags = tags.Length == 0 ? null : string.Join(';', tags),
                Pool = random.NextDouble() < 0.7 ? Tenants[random.Next(Tenants.Length)] : null,
                Template = template,
                Cpus = new[] { 1, 2, 2, 4, 4, 8 }[random.Next(6)],
                MaxMem = (long)(memGiB * 1024 * 1024 * 1024),
                MaxDisk = (long)new[] { 8, 16, 32, 64, 128 }[random.Next(5)] * 1024 * 1024 * 1024,
                Load = GuestLoad.Random(random),
            };
            if (!template && random.NextDouble() < 0.75)
            {
                guest.State = GuestRunState.Running;
                guest.StartedAt = now.AddSeconds(-(60 + random.Next(30 * 86_400)));
                guest.Pid = 1_000 + random.Next(4_000_000);
            }
            guests.Add(guest);
        }

        SimStorage[] storages =
        [
            new("local", "dir", "backup,iso,vztmpl", false, 100L * 1024 * 1024 * 1024, 0.2 + random.NextDouble() * 0.3),
            new("local-lvm", "lvmthin", "images,rootdir", false, 800L * 1024 * 1024 * 1024, 0.1 + random.NextDouble() * 0.5),
            new("nfs-backup", "nfs", "backup,iso", true, 4L * 1024 * 1024 * 1024 * 1024, 0.3 + random.NextDouble() * 0.4),
        ];
        return new ClusterInventory(nodes, guests, storages);
    }
}
