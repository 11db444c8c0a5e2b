namespace Nexus.Simulator.Api;

/// <summary>A request failing the way Proxmox fails it: status, message (also the reason phrase), parameter errors.</summary>
internal sealed class ApiException(int status, string message, IReadOnlyDictionary<string, string>? errors = null)
    : Exception(message)
{
    public int Status { get; } = status;

    public IReadOnlyDictionary<string, string>? Errors { get; } = errors;

    /// <summary>Handler <c>die</c>s are 500 with the text as message (pve-http-server).</summary>
    public static ApiException Die(string message) => new(500, message);

    public static ApiException Forbidden(string path, string privilege) =>
        new(403, $"Permission check failed ({path}, {privilege})");

    public static ApiException Parameter(string name, string error) =>
        new(400, "Parameter verification failed.", new Dictionary<string, string> { [name] = error });

    public static ApiException Parameters(IReadOnlyDictionary<string, string> errors) =>
        new(400, "Parameter verification failed.", errors);
}
