using NomadAutoscaler.Core.Configuration;

namespace NomadAutoscaler.Core.Tests.Configuration;

public sealed class ConfigValidatorTests
{
    private static readonly AgentConfig Defaults = ConfigLoader.Defaults("/work");

    [Fact]
    public void Defaults_are_valid() => Assert.Empty(ConfigValidator.Validate(Defaults));

    [Theory]
    [InlineData("http://127.0.0.1:4646", true)]
    [InlineData("https://nomad.example", true)]
    [InlineData("unix:///var/run/nomad.sock", true)]
    [InlineData("127.0.0.1:4646", false)]
    [InlineData("ftp://nomad", false)]
    [InlineData("", false)]
    public void Nomad_address_must_be_a_url(string address, bool valid) =>
        Assert.Equal(valid, ConfigValidator.Validate(Defaults with { Nomad = Defaults.Nomad with { Address = address } }).Count == 0);

    [Fact]
    public void High_availability_settings_are_checked_only_when_enabled()
    {
        var ha = Defaults.HighAvailability with { LockPath = "", LockTtl = TimeSpan.Zero };

        Assert.Empty(ConfigValidator.Validate(Defaults with { HighAvailability = ha }));
        Assert.Equal(
            ["high_availability.lock_path must not be empty", "high_availability.lock_ttl must be greater than zero"],
            ConfigValidator.Validate(Defaults with { HighAvailability = ha with { Enabled = true } }));
    }

    [Fact]
    public void A_plugin_without_driver_is_named()
    {
        var config = Defaults with { Targets = [new PluginConfig("os-nova", "", [], new Dictionary<string, string>())] };

        Assert.Equal(["target[os-nova] -> driver must not be empty"], ConfigValidator.Validate(config));
    }

    [Theory]
    [InlineData("info", null)]
    [InlineData(" DEBUG ", null)]
    [InlineData("off", null)]
    [InlineData("verbose", "log_level \"verbose\" is not one of trace, debug, info, warn, error, off; using info")]
    public void Unknown_log_levels_get_a_warning_instead_of_silence(string level, string? warning) =>
        Assert.Equal(warning, ConfigValidator.LogLevelWarning(level));
}
