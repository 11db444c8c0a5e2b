using System.Net.Sockets;
using Nexus.Proxmox.Configuration;

namespace Nexus.Proxmox.Errors;

/// <summary>Why no answer came.</summary>
public enum UnreachableReason
{
    /// <summary>The host name did not resolve.</summary>
    Dns,

    /// <summary>The TCP connection was refused or the host/network is unreachable.</summary>
    Refused,

    /// <summary>No answer within the (learned) timeout.</summary>
    Timeout,

    /// <summary>The endpoint's circuit breaker is open after repeated failures; nothing was sent.</summary>
    CircuitOpen,

    /// <summary>The connection broke after the request was sent.</summary>
    ConnectionLost,

    /// <summary>Any other transport failure.</summary>
    Other,
}

/// <summary>The endpoint (or every endpoint) could not be reached.</summary>
public sealed class ProxmoxUnreachableException : ProxmoxException
{
    internal ProxmoxUnreachableException(ProxmoxEndpoint endpoint, UnreachableReason reason, string message, Exception? inner,
        bool? requestNotSent = null)
        : base(endpoint, null, null, null, null, message, inner)
    {
        Reason = reason;
        RequestNotSent = requestNotSent ?? reason is UnreachableReason.Dns or UnreachableReason.Refused or UnreachableReason.CircuitOpen;
    }

    public UnreachableReason Reason { get; }

    /// <summary>True when the request provably never reached Proxmox (so even a power action may go elsewhere).</summary>
    public bool RequestNotSent { get; }

    internal static ProxmoxUnreachableException FromTransport(ProxmoxEndpoint endpoint, Exception ex)
    {
        var socket = Find<SocketException>(ex);
        // A connection that never got established (refused, unresolvable, connect timeout) carried no request.
        var notSent = ex is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
            || socket?.SocketErrorCode is SocketError.ConnectionRefused or SocketError.HostNotFound or SocketError.TryAgain
                or SocketError.NoData or SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.AddressNotAvailable;
        var reason = Find<TimeoutException>(ex) is not null ? UnreachableReason.Timeout : socket?.SocketErrorCode switch
        {
            SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData => UnreachableReason.Dns,
            SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable
                or SocketError.AddressNotAvailable => UnreachableReason.Refused,
            SocketError.TimedOut => UnreachableReason.Timeout,
            SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown => UnreachableReason.ConnectionLost,
            _ => ex is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } ? UnreachableReason.Dns
                : ex is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } ? UnreachableReason.Refused
                : ex is HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } or IOException ? UnreachableReason.ConnectionLost
                : UnreachableReason.Other,
        };
        var detail = socket?.Message ?? ex.Message;
        return new ProxmoxUnreachableException(endpoint, reason, $"{endpoint} unreachable ({reason}): {detail}", ex, notSent);
    }

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }
        return null;
    }
}
