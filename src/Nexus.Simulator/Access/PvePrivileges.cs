namespace Nexus.Simulator.Access;

/// <summary>Proxmox VE privilege names the simulator checks (pve-access-control's role definitions).</summary>
public static class PvePrivileges
{
    public const string VmAudit = "VM.Audit";
    public const string VmConsole = "VM.Console";
    public const string VmPowerMgmt = "VM.PowerMgmt";
    public const string VmConfigDisk = "VM.Config.Disk";
    public const string SysAudit = "Sys.Audit";
    public const string SysConsole = "Sys.Console";
    public const string SysModify = "Sys.Modify";
    public const string DatastoreAudit = "Datastore.Audit";
    public const string DatastoreAllocateSpace = "Datastore.AllocateSpace";
    public const string PoolAudit = "Pool.Audit";

    /// <summary>Every privilege PVE 9 knows; what <c>Administrator</c> (and root@pam) holds.</summary>
    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        "Datastore.Allocate", "Datastore.AllocateSpace", "Datastore.AllocateTemplate", "Datastore.Audit",
        "Group.Allocate", "Mapping.Audit", "Mapping.Modify", "Mapping.Use", "Permissions.Modify",
        "Pool.Allocate", "Pool.Audit", "Realm.Allocate", "Realm.AllocateUser", "SDN.Allocate", "SDN.Audit",
        "SDN.Use", "Sys.AccessNetwork", "Sys.Audit", "Sys.Console", "Sys.Incoming", "Sys.Modify",
        "Sys.PowerMgmt", "Sys.Syslog", "User.Modify", "VM.Allocate", "VM.Audit", "VM.Backup", "VM.Clone",
        "VM.Config.CDROM", "VM.Config.CPU", "VM.Config.Cloudinit", "VM.Config.Disk", "VM.Config.HWType",
        "VM.Config.Memory", "VM.Config.Network", "VM.Config.Options", "VM.Console", "VM.GuestAgent.Audit",
        "VM.GuestAgent.FileRead", "VM.GuestAgent.FileSystemMgmt", "VM.GuestAgent.FileWrite",
        "VM.GuestAgent.Unrestricted", "VM.Migrate", "VM.PowerMgmt", "VM.Replicate", "VM.Snapshot",
        "VM.Snapshot.Rollback",
    };

    /// <summary>Every privilege except the given ones.</summary>
    public static IReadOnlySet<string> AllExcept(params string[] excluded) =>
        new HashSet<string>(All.Except(excluded, StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>What the built-in <c>PVEAuditor</c> role holds (read only).</summary>
    public static readonly IReadOnlySet<string> Auditor = new HashSet<string>(StringComparer.Ordinal)
    {
        "Datastore.Audit", "Mapping.Audit", "Pool.Audit", "SDN.Audit", "Sys.Audit", "VM.Audit",
        "VM.GuestAgent.Audit",
    };
}
