namespace Nexus.Proxmox.Timeouts;

/// <summary>Kinds of Proxmox request whose latencies differ enough to learn separately.</summary>
public enum RequestClass
{
    /// <summary>A single object: version, status/current, task status.</summary>
    Read,

    /// <summary>A collection: nodes, cluster resources, guest lists, rrddata.</summary>
    List,

    /// <summary>A state change that forks a worker: power actions.</summary>
    Action,

    /// <summary>Console set-up: vncproxy and the vncwebsocket upgrade.</summary>
    Console,
}
