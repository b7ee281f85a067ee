using NomadAutoscaler.Nomad;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Nomad.Tests;

public sealed class NomadClientOptionsTests
{
    private static readonly Func<string, string?> NoEnv = _ => null;

    [Fact]
    public void FromConfig_reads_every_injected_key()
    {
        var options = NomadClientOptions.FromConfig(new Dictionary<string, string>
        {
            ["nomad_address"] = "https://nomad.example:4646",
            ["nomad_region"] = "eu",
            ["nomad_namespace"] = " a, b ,a,,",
            ["nomad_token"] = "tok",
            ["nomad_http-auth"] = "user:pw",
            ["nomad_ca-cert"] = "/ca.pem",
            ["nomad_ca-path"] = "/cas",
            ["nomad_client-cert"] = "/c.pem",
            ["nomad_client-key"] = "/k.pem",
            ["nomad_tls-server-name"] = "server.global.nomad",
            ["nomad_skip-verify"] = "true",
            ["nomad_block-query-wait-time"] = "30s",
        }, NoEnv);
        Assert.Equal("https://nomad.example:4646", options.Address);
        Assert.Equal("eu", options.Region);
        Assert.Equal(["a", "b"], options.Namespaces);
        Assert.Equal("*", options.EffectiveNamespace);
        Assert.True(options.IsNamespaceIncluded("b"));
        Assert.False(options.IsNamespaceIncluded("c"));
        Assert.Equal("tok", options.Token);
        Assert.Equal("user:pw", options.HttpAuth);
        Assert.Equal("/ca.pem", options.CaCert);
        Assert.Equal("/cas", options.CaPath);
        Assert.Equal("/c.pem", options.ClientCert);
        Assert.Equal("/k.pem", options.ClientKey);
        Assert.Equal("server.global.nomad", options.TlsServerName);
        Assert.True(options.SkipVerify);
        Assert.Equal(TimeSpan.FromSeconds(30), options.BlockQueryWaitTime);
    }

    [Fact]
    public void FromConfig_falls_back_to_environment_and_defaults()
    {
        var env = new Dictionary<string, string> { ["NOMAD_ADDR"] = "http://env:4646", ["NOMAD_TOKEN"] = "envtok", ["NOMAD_NAMESPACE"] = "x,*" };
        var options = NomadClientOptions.FromConfig(new Dictionary<string, string> { ["nomad_token"] = "" }, k => env.GetValueOrDefault(k));
        Assert.Equal("http://env:4646", options.Address);
        Assert.Equal("envtok", options.Token);
        Assert.Equal(["*"], options.Namespaces);
        Assert.Equal(NomadClientOptions.DefaultBlockQueryWaitTime, options.BlockQueryWaitTime);
        Assert.Equal(NomadClientOptions.DefaultAddress, NomadClientOptions.FromConfig(new Dictionary<string, string>(), NoEnv).Address);
        Assert.Null(NomadClientOptions.FromConfig(new Dictionary<string, string>(), NoEnv).EffectiveNamespace);
    }

    [Fact]
    public void FromConfig_reports_every_bad_key()
    {
        var ex = Assert.Throws<PluginConfigException>(() => NomadClientOptions.FromConfig(new Dictionary<string, string>
        {
            ["nomad_skip-verify"] = "maybe",
            ["nomad_block-query-wait-time"] = "soon",
            ["nomad_address"] = "ftp://x",
        }, NoEnv));
        Assert.Equal(["nomad_skip-verify", "nomad_block-query-wait-time", "nomad_address"], ex.Violations.Select(v => v.Key));
    }

    [Fact]
    public void Secrets_never_appear_in_ToString_and_address_credentials_move_to_basic_auth()
    {
        var options = NomadClientOptions.FromConfig(new Dictionary<string, string>
        {
            ["nomad_address"] = "http://bob:hunter2@nomad:4646",
            ["nomad_token"] = "very-secret-token",
        }, NoEnv);
        Assert.Equal("http://nomad:4646", options.Address);
        Assert.Equal("bob:hunter2", options.HttpAuth);
        var text = options.ToString();
        Assert.DoesNotContain("very-secret-token", text, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", text, StringComparison.Ordinal);
        Assert.Contains("bob:<redacted>", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Basic_auth_header_is_sent()
    {
        var stub = new StubNomad().On("GET", "/v1/status/leader", StubNomad.Json("\"x\""));
        using var client = new NomadClient(new NomadClientOptions { Address = "http://n:1", HttpAuth = "bob:pw" }, stub);
        await client.GetLeaderAsync();
        Assert.Equal("Basic " + Convert.ToBase64String("bob:pw"u8.ToArray()), stub.Requests[0].Header("Authorization"));
        Assert.Null(stub.Requests[0].Header("X-Nomad-Token"));
    }

    [Fact]
    public void Plugin_options_base_maps_keys_to_client_options()
    {
        var options = new NomadPluginOptions { NomadAddress = "http://p:1", NomadSkipVerify = "nope" };
        var ex = Assert.Throws<PluginConfigException>(() => options.ToClientOptions(NoEnv));
        Assert.Equal("nomad_skip-verify", Assert.Single(ex.Violations).Key);
        Assert.Equal("http://p:1", new NomadPluginOptions { NomadAddress = "http://p:1" }.ToClientOptions(NoEnv).Address);
    }
}
