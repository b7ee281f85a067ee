using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.OpenStack;

/// <summary>One cloud: the authenticated <see cref="Session"/> and the typed service clients sharing it.</summary>
public sealed class OpenStackClient : IDisposable
{
    /// <summary>Creates the clients over a new session (see <see cref="OpenStackSession"/> for the parameters).</summary>
    public OpenStackClient(OpenStackCredentials credentials, OpenStackClientOptions? options = null, HttpMessageHandler? handler = null,
        TimeProvider? timeProvider = null, ILogger? logger = null)
        : this(new OpenStackSession(credentials, options, handler, timeProvider, logger), logger) { }

    /// <summary>Creates the clients over an existing session (owned and disposed by this client).</summary>
    public OpenStackClient(OpenStackSession session, ILogger? logger = null)
    {
        Session = session ?? throw new ArgumentNullException(nameof(session));
        Nova = new NovaClient(session, logger);
        Glance = new GlanceClient(session);
        Neutron = new NeutronClient(session);
        Octavia = new OctaviaClient(session);
    }

    /// <summary>Keystone session, catalog and raw requests.</summary>
    public OpenStackSession Session { get; }

    /// <summary>Compute.</summary>
    public NovaClient Nova { get; }

    /// <summary>Image.</summary>
    public GlanceClient Glance { get; }

    /// <summary>Network.</summary>
    public NeutronClient Neutron { get; }

    /// <summary>Load balancer (Octavia).</summary>
    public OctaviaClient Octavia { get; }

    /// <inheritdoc />
    public void Dispose() => Session.Dispose();
}
