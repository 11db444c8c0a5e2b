namespace Nexus.Simulator.Consoles.Rfb;

/// <summary>How a built-in RFB server authenticates its client.</summary>
internal abstract record RfbSecurity
{
    /// <summary>The RFB security type number offered to the client.</summary>
    public abstract byte Type { get; }

    /// <summary>Security type 1: no authentication (the raw TCP back-end).</summary>
    public sealed record None : RfbSecurity
    {
        public override byte Type => 1;
    }

    /// <summary>Security type 2 with QEMU's password, which expires like <c>expire_password +30</c>.</summary>
    public sealed record VncPassword(string Password, DateTimeOffset ExpiresAt) : RfbSecurity
    {
        public override byte Type => 2;
    }
}
