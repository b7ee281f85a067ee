using NomadAutoscaler.OpenStack;

namespace NomadAutoscaler.Simulator.CloudJoin;

/// <summary>An <see cref="ICloudJoinSource"/> that polls a real Nova: every server of the project, with its status, tags
/// and metadata, so servers os-nova creates join the simulated cluster once ACTIVE and leave it when deleted.</summary>
/// <remarks>One <c>GET /servers/detail</c> per poll (all pages). Credentials never appear in errors or logs.</remarks>
public sealed class NovaCloudJoinSource : ICloudJoinSource, IDisposable
{
    private readonly OpenStackClient _client;
    private readonly bool _ownsClient;

    /// <summary>Polls through an existing client (not disposed by this source).</summary>
    public NovaCloudJoinSource(OpenStackClient client)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
    }

    private NovaCloudJoinSource(OpenStackClient client, bool ownsClient)
        : this(client) => _ownsClient = ownsClient;

    /// <summary>Builds the source from <c>OS_*</c> settings (<see cref="SimulatorOptions.OpenStackEnvironment"/>):
    /// <c>OS_CLOUD</c> (+ <c>OS_CLIENT_CONFIG_FILE</c>) selects a clouds.yaml cloud, otherwise the variables are read
    /// field by field.</summary>
    /// <exception cref="OpenStackConfigException">The settings cannot authenticate.</exception>
    public static NovaCloudJoinSource FromEnvironment(IReadOnlyDictionary<string, string> environment, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Get(string name) => environment.TryGetValue(name, out var value) ? value : null;
        var cloud = Get("OS_CLOUD");
        var credentials = !string.IsNullOrWhiteSpace(cloud)
            ? CloudConfig.FromCloudsYaml(cloud, Get("OS_CLIENT_CONFIG_FILE"), Get)
            : CloudConfig.FromEnvironment(Get);
        return new NovaCloudJoinSource(new OpenStackClient(credentials, timeProvider: timeProvider), ownsClient: true);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<CloudServer>> ListServersAsync(CancellationToken cancellationToken)
    {
        var servers = await _client.Nova.ListServersAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return servers.Select(s => new CloudServer(s.Id, s.Name, s.Status, s.Tags, s.Metadata)).ToList();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsClient) _client.Dispose();
    }
}
