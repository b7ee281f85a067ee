using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Plugins;

namespace NomadAutoscaler.Core.Tests.Plugins;

public class NomadConfigInjectionTests
{
    private static readonly NomadSettings Full = new()
    {
        Address = "http://127.0.0.1:4646",
        Region = "global",
        Namespace = "default",
        Token = "secret-token",
        HttpAuth = "user:pass",
        CaCert = "/ca.pem",
        CaPath = "/ca",
        ClientCert = "/c.pem",
        ClientKey = "/k.pem",
        TlsServerName = "nomad.local",
        SkipVerify = true,
        BlockQueryWaitTime = TimeSpan.FromMinutes(5),
    };

    [Fact]
    public void Injects_every_non_empty_setting_under_upstream_key_names()
    {
        var logs = new CapturingLoggerFactory();
        var result = NomadConfigInjection.Apply(new Dictionary<string, string> { ["a"] = "1" }, Full, "p", logs.CreateLogger("x"));
        Assert.Equal(new Dictionary<string, string>
        {
            ["a"] = "1",
            ["nomad_address"] = "http://127.0.0.1:4646",
            ["nomad_region"] = "global",
            ["nomad_namespace"] = "default",
            ["nomad_token"] = "secret-token",
            ["nomad_http-auth"] = "user:pass",
            ["nomad_ca-cert"] = "/ca.pem",
            ["nomad_ca-path"] = "/ca",
            ["nomad_client-cert"] = "/c.pem",
            ["nomad_client-key"] = "/k.pem",
            ["nomad_tls-server-name"] = "nomad.local",
            ["nomad_skip-verify"] = "true",
            ["nomad_block-query-wait-time"] = "5m0s",
        }, result);
    }

    [Fact]
    public void Keeps_keys_the_block_already_sets_and_skips_empty_settings()
    {
        var config = new Dictionary<string, string> { ["nomad_address"] = "http://other:4646", ["nomad_region"] = "" };
        var result = NomadConfigInjection.Apply(config, new NomadSettings { Address = "http://127.0.0.1:4646", Region = "eu" }, "p",
            new CapturingLoggerFactory().CreateLogger("x"));
        Assert.Equal("http://other:4646", result["nomad_address"]);
        Assert.Equal("eu", result["nomad_region"]);
        Assert.False(result.ContainsKey("nomad_token"));
        Assert.False(result.ContainsKey("nomad_skip-verify"));
    }

    [Theory]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("F")]
    public void Inherit_false_injects_nothing(string value)
    {
        var config = new Dictionary<string, string> { [NomadConfigInjection.InheritKey] = value };
        var result = NomadConfigInjection.Apply(config, Full, "p", new CapturingLoggerFactory().CreateLogger("x"));
        Assert.Same(config, result);
    }

    [Fact]
    public void Inherit_true_injects()
    {
        var config = new Dictionary<string, string> { [NomadConfigInjection.InheritKey] = "true" };
        Assert.Equal("global", NomadConfigInjection.Apply(config, Full, "p", new CapturingLoggerFactory().CreateLogger("x"))["nomad_region"]);
    }

    [Fact]
    public void Unparsable_inherit_logs_an_error_and_injects_nothing()
    {
        var logs = new CapturingLoggerFactory();
        var config = new Dictionary<string, string> { [NomadConfigInjection.InheritKey] = "yes please" };
        var result = NomadConfigInjection.Apply(config, Full, "my-plugin", logs.CreateLogger("agent.plugin_manager"));
        Assert.Same(config, result);
        var entry = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Equal("my-plugin", entry["plugin_name"]);
        Assert.DoesNotContain("secret-token", string.Join(" ", entry.Pairs.Select(p => p.Value)));
    }

    [Fact]
    public void Settings_never_print_their_secrets()
    {
        var text = Full.ToString();
        Assert.DoesNotContain("secret-token", text);
        Assert.DoesNotContain("user:pass", text);
    }
}
