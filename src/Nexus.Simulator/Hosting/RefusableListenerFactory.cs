using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Nexus.Simulator.Hosting;

/// <summary>
/// Wraps Kestrel's socket transport so a listener can truly refuse connections: while refusal is on, its
/// listening socket is closed (connects get RST), and it is bound again on the same port when refusal ends.
/// </summary>
internal sealed class RefusableListenerFactory(
    IConnectionListenerFactory inner,
    Func<EndPoint, SimulatedListener?> lookup) : IConnectionListenerFactory
{
    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var simulated = lookup(endpoint);
        if (simulated is null)
        {
            return await inner.BindAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        var listener = new RefusableListener(inner, endpoint, simulated);
        listener.EnsureBound();
        return listener;
    }

    private sealed class RefusableListener : IConnectionListener
    {
        private readonly IConnectionListenerFactory _factory;
        private readonly SimulatedListener _simulated;
        private readonly object _gate = new();
        private IConnectionListener? _current;
        private volatile bool _unbound;

        public RefusableListener(IConnectionListenerFactory factory, EndPoint endPoint, SimulatedListener simulated)
        {
            _factory = factory;
            _simulated = simulated;
            EndPoint = endPoint;
            simulated.RefusalChanged += OnRefusalChanged;
        }

        public EndPoint EndPoint { get; }

        /// <summary>Binds the listening socket unless refusing; synchronous so a cleared fault holds when Set returns.</summary>
        public void EnsureBound()
        {
            lock (_gate)
            {
                if (_current is null && !_unbound && !_simulated.Refusing)
                {
                    // The socket transport binds and listens synchronously; the ValueTask is already complete.
                    _current = _factory.BindAsync(EndPoint).AsTask().GetAwaiter().GetResult();
                }
            }
        }

        public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            while (!_unbound)
            {
                IConnectionListener? current;
                lock (_gate)
                {
                    current = _current;
                }
                if (current is null)
                {
                    EnsureBound();
                    if (_simulated.Refusing)
                    {
                        await Task.Delay(20, cancellationToken).ConfigureAwait(false);
                    }
                    continue;
                }
                var connection = await current.AcceptAsync(cancellationToken).ConfigureAwait(false);
                if (connection is not null)
                {
                    if (!_simulated.Refusing)
                    {
                        return connection;
                    }
                    connection.Abort();
                    await connection.DisposeAsync().ConfigureAwait(false);
                    continue;
                }
                lock (_gate)
                {
                    if (ReferenceEquals(_current, current))
                    {
                        _current = null;
                    }
                }
            }
            return null;
        }

        public async ValueTask UnbindAsync(CancellationToken cancellationToken = default)
        {
            _unbound = true;
            _simulated.RefusalChanged -= OnRefusalChanged;
            await CloseCurrentAsync().ConfigureAwait(false);
        }

        public async ValueTask DisposeAsync()
        {
            _unbound = true;
            _simulated.RefusalChanged -= OnRefusalChanged;
            await CloseCurrentAsync().ConfigureAwait(false);
        }

        // Synchronous on purpose: when FaultControl.Set returns, connects already fail (or work again).
        private void OnRefusalChanged()
        {
            if (_simulated.Refusing)
            {
                CloseCurrentAsync().AsTask().GetAwaiter().GetResult();
            }
            else
            {
                EnsureBound();
            }
        }

        private async ValueTask CloseCurrentAsync()
        {
            IConnectionListener? current;
            lock (_gate)
            {
                current = _current;
                _current = null;
            }
            if (current is not null)
            {
                await current.UnbindAsync().ConfigureAwait(false);
                await current.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
