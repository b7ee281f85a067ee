using NomadAutoscaler.Core.Configuration;

namespace NomadAutoscaler.Core.Tests.Configuration;

public sealed class ConfigRedactionTests
{
    [Theory]
    [InlineData("password", true)]
    [InlineData("OS_PASSWORD", true)]
    [InlineData("application_credential_secret", true)]
    [InlineData("nomad_token", true)]
    [InlineData("nomad_http-auth", true)]
    [InlineData("dd_api_key", true)]
    [InlineData("secret_access_key", true)]
    [InlineData("username", false)]
    [InlineData("auth_url", false)]
    [InlineData("region_name", false)]
    [InlineData("nomad_client-key", false)]
    public void Secret_keys_are_recognised(string key, bool secret) => Assert.Equal(secret, ConfigRedaction.IsSecretKey(key));

    [Fact]
    public void Redact_hides_every_secret_and_keeps_the_rest()
    {
        var config = ConfigLoader.Defaults("/work") with
        {
            Nomad = new NomadConfig { Token = "tok", HttpAuth = "admin:hunter2", ClientKey = "/key.pem" },
            Telemetry = new TelemetryConfig { Circonus = new Dictionary<string, string> { ["circonus_api_token"] = "circ", ["circonus_api_app"] = "app" } },
            Targets =
            [
                new PluginConfig("os-nova", "os-nova", [], new Dictionary<string, string>
                {
                    ["username"] = "tbueker",
                    ["password"] = "geheim",
                    ["application_credential_secret"] = "appsecret",
                    ["empty_password"] = "",
                }),
            ],
        };

        var redacted = ConfigRedaction.Redact(config);
        Assert.Equal(ConfigRedaction.Redacted, redacted.Nomad.Token);
        Assert.Equal("admin:" + ConfigRedaction.Redacted, redacted.Nomad.HttpAuth);
        Assert.Equal("/key.pem", redacted.Nomad.ClientKey);
        Assert.Equal(ConfigRedaction.Redacted, redacted.Telemetry.Circonus["circonus_api_token"]);
        Assert.Equal("app", redacted.Telemetry.Circonus["circonus_api_app"]);
        var nova = redacted.Targets.Single().Config;
        Assert.Equal(("tbueker", ConfigRedaction.Redacted, ConfigRedaction.Redacted, ""),
            (nova["username"], nova["password"], nova["application_credential_secret"], nova["empty_password"]));
        // The original is untouched: the agent keeps using the real values.
        Assert.Equal("geheim", config.Targets.Single().Config["password"]);
    }

    [Fact]
    public void Http_auth_without_password_is_kept() => Assert.Equal("admin", ConfigRedaction.RedactHttpAuth("admin"));
}
