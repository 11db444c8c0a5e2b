using System.Data;
using System.Net;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Nexus.Data.Access;

/// <summary>
/// Dapper refuses parameter types it does not know even when Npgsql does; these handlers pass them through.
/// Registered once, before the first session exists.
/// </summary>
internal static class DapperSetup
{
    private static int registered;

    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0)
        {
            SqlMapper.AddTypeHandler(new InetHandler());
        }
    }

    private sealed class InetHandler : SqlMapper.TypeHandler<IPAddress>
    {
        public override void SetValue(IDbDataParameter parameter, IPAddress? value)
        {
            parameter.Value = (object?)value ?? DBNull.Value;
            if (parameter is NpgsqlParameter npgsql)
            {
                npgsql.NpgsqlDbType = NpgsqlDbType.Inet;
            }
        }

        public override IPAddress? Parse(object value) => value switch
        {
            IPAddress address => address,
            NpgsqlInet inet => inet.Address,
            string text => IPAddress.Parse(text),
            _ => null,
        };
    }
}
