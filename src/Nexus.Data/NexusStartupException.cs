namespace Nexus.Data;

/// <summary>
/// A start-up failure caused by configuration or by the machine (missing binaries, a port in use, an unusable
/// folder). Its message is one line that names the setting to change; the host prints it instead of a stack trace.
/// </summary>
public sealed class NexusStartupException : Exception
{
    public NexusStartupException(string message)
        : base(message)
    {
    }

    public NexusStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
