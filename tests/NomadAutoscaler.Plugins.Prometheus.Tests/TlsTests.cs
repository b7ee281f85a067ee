using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Prometheus.Tests;

/// <summary>ca_cert and skip_verify against a real TLS listener (Kestrel on 127.0.0.1).</summary>
public sealed class TlsTests : IAsyncLifetime, IDisposable
{
    private readonly TestCertificates _certificates = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private StubPrometheusServer? _server;

    private StubPrometheusServer Server => _server!;

    public async Task InitializeAsync() => _server = await StubPrometheusServer.StartAsync(Bodies.OneSampleVector, _certificates.Server);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public void Dispose() => _certificates.Dispose();

    private async Task<IReadOnlyList<MetricPoint>> QueryAsync(PrometheusOptions options)
    {
        using var plugin = new PrometheusApm(null, _time, null);
        await plugin.ConfigureAsync(options, CancellationToken.None);
        var now = _time.GetUtcNow();
        return await plugin.QueryAsync(new ApmQuery("x", now, now), CancellationToken.None);
    }

    [Fact]
    public async Task Server_signed_by_the_configured_ca_is_trusted()
    {
        var points = await QueryAsync(new PrometheusOptions { Address = Server.Address.ToString(), CaCert = _certificates.CaPemPath });

        Assert.Equal(42, Assert.Single(points).Value);
        Assert.Equal("https", Server.Address.Scheme);
    }

    [Fact]
    public async Task Server_not_signed_by_a_trusted_ca_is_refused()
    {
        var error = await Assert.ThrowsAsync<PrometheusQueryException>(() => QueryAsync(new PrometheusOptions { Address = Server.Address.ToString() }));

        Assert.StartsWith($"failed to query: POST {Server.Address}api/v1/query: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("SSL", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task Another_ca_does_not_make_the_server_trusted()
    {
        using var other = new TestCertificates();

        await Assert.ThrowsAsync<PrometheusQueryException>(() => QueryAsync(new PrometheusOptions { Address = Server.Address.ToString(), CaCert = other.CaPemPath }));
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public async Task Right_ca_but_wrong_host_name_is_refused()
    {
        var byName = new UriBuilder(Server.Address) { Host = "localhost" }.Uri;

        await Assert.ThrowsAsync<PrometheusQueryException>(() => QueryAsync(new PrometheusOptions { Address = byName.ToString(), CaCert = _certificates.CaPemPath }));
    }

    [Fact]
    public async Task Skip_verify_accepts_an_untrusted_server()
    {
        var points = await QueryAsync(new PrometheusOptions { Address = Server.Address.ToString(), SkipVerify = true });

        Assert.Equal(42, Assert.Single(points).Value);
    }

    [Fact]
    public void Missing_ca_file_is_a_configuration_error_naming_the_key()
    {
        var missing = Path.Combine(_certificates.Directory, "nope.pem");

        var error = Assert.Throws<PluginConfigException>(() => PrometheusClient.LoadCaCertificates(missing));

        var violation = Assert.Single(error.Violations);
        Assert.Equal("ca_cert", violation.Key);
        Assert.StartsWith($"failed to load CA certificate {missing}: ", violation.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_without_a_certificate_is_a_configuration_error()
    {
        var notPem = Path.Combine(_certificates.Directory, "not.pem");
        File.WriteAllText(notPem, "hello");

        var error = Assert.Throws<PluginConfigException>(() => PrometheusClient.LoadCaCertificates(notPem));

        Assert.Equal("ca_cert", Assert.Single(error.Violations).Key);
        Assert.StartsWith($"failed to decode PEM file {notPem}", error.Violations[0].Problem, StringComparison.Ordinal);
    }
}
