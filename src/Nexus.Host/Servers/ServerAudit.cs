namespace Nexus.Host.Servers;

/// <summary>Audit action names of server registration (<c>capability.what</c>, as elsewhere).</summary>
internal static class ServerAudit
{
    public const string Target = "server";

    public const string Added = "server.added";
    public const string Updated = "server.updated";
    public const string Deleted = "server.deleted";
    public const string Imported = "server.imported";
    public const string Tested = "server.tested";
    public const string CertificateProbed = "server.certificate_probed";
}
