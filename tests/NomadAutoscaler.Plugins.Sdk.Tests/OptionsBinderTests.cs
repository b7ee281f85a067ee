using System.ComponentModel.DataAnnotations;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Internal;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

public sealed class OptionsBinderTests
{
    public enum Mode
    {
        Fast,
        VerySlow,
    }

    public sealed class SampleOptions
    {
        [Required]
        public Uri? Address { get; init; }

        public string? Token { get; init; }

        public bool Enabled { get; init; }

        [Range(1, 10)]
        public int Retries { get; init; } = 3;

        public long Big { get; init; }

        public double Ratio { get; init; }

        public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

        public TimeSpan? Timeout { get; init; }

        public string[] Tags { get; init; } = [];

        public IReadOnlyList<string> Regions { get; init; } = [];

        public Mode Mode { get; init; }

        [ConfigKey("nomad_http-auth")]
        public string? HttpAuth { get; init; }

        public string TlsServerName { get; init; } = "";
    }

    [AllowUnknownKeys]
    public sealed class LenientOptions
    {
        public string? Name { get; init; }
    }

    public sealed class RequiredMemberOptions
    {
        public required string Job { get; init; }
    }

    public sealed class PrefixOptions
    {
        public string? Address { get; init; }

        [ConfigKeyPrefix("header_")]
        public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    }

    public sealed class BadPrefixOptions
    {
        [ConfigKeyPrefix("tag_")]
        public string? Tags { get; init; }
    }

    private static Dictionary<string, string> Config(params string[] pairs)
        => pairs.Select(p => p.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);

    [Fact]
    public void Bind_AllSupportedTypes_ConvertsEveryValue()
    {
        var options = OptionsBinder.Bind<SampleOptions>(Config(
            "address=http://127.0.0.1:4646", "token=s3cret", "enabled=T", "retries=7", "big=9000000000", "ratio=0.25",
            "interval=1m30s", "timeout=750ms", "tags= a, b ,,c", "regions=eu,us", "mode=very-slow", "nomad_http-auth=user:pw",
            "tls_server_name=nomad.local"));

        Assert.Equal(new Uri("http://127.0.0.1:4646"), options.Address);
        Assert.Equal("s3cret", options.Token);
        Assert.True(options.Enabled);
        Assert.Equal(7, options.Retries);
        Assert.Equal(9_000_000_000L, options.Big);
        Assert.Equal(0.25, options.Ratio);
        Assert.Equal(TimeSpan.FromSeconds(90), options.Interval);
        Assert.Equal(TimeSpan.FromMilliseconds(750), options.Timeout);
        Assert.Equal(["a", "b", "c"], options.Tags);
        Assert.Equal(["eu", "us"], options.Regions);
        Assert.Equal(Mode.VerySlow, options.Mode);
        Assert.Equal("user:pw", options.HttpAuth);
        Assert.Equal("nomad.local", options.TlsServerName);
    }

    [Fact]
    public void Bind_AbsentKeys_KeepInitializerDefaults()
    {
        var options = OptionsBinder.Bind<SampleOptions>(Config("address=http://x"));

        Assert.Equal(3, options.Retries);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Interval);
        Assert.Null(options.Timeout);
    }

    [Theory]
    [InlineData("enabled", "yes", "is not a boolean")]
    [InlineData("retries", "three", "is not a whole number")]
    [InlineData("retries", "11", "between 1 and 10")]
    [InlineData("big", "1.5", "is not a whole number")]
    [InlineData("ratio", "NaN", "is not a number")]
    [InlineData("interval", "10", "is not a duration")]
    [InlineData("address", "not a url", "is not an absolute URL")]
    [InlineData("mode", "medium", "is not one of: fast, very_slow")]
    [InlineData("mode", "0", "is not one of")]
    public void Bind_BadValue_ReportsViolationNamingTheKey(string key, string value, string problem)
    {
        var config = Config("address=http://x");
        config[key] = value;

        var exception = Assert.Throws<PluginConfigException>(() => OptionsBinder.Bind<SampleOptions>(config));

        var violation = Assert.Single(exception.Violations);
        Assert.Equal(key, violation.Key);
        Assert.Contains(problem, violation.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", true)]
    [InlineData("t", true)]
    [InlineData("TRUE", true)]
    [InlineData("True", true)]
    [InlineData("0", false)]
    [InlineData("F", false)]
    [InlineData("false", false)]
    public void Bind_GoBoolSpellings_Parse(string text, bool expected)
    {
        var options = OptionsBinder.Bind<SampleOptions>(Config("address=http://x", "enabled=" + text));

        Assert.Equal(expected, options.Enabled);
    }

    [Fact]
    public void Bind_SeveralProblems_CollectsAllViolations()
    {
        var exception = Assert.Throws<PluginConfigException>(() => OptionsBinder.Bind<SampleOptions>(
            Config("retries=x", "ratio=y", "adress=http://x")));

        Assert.Equal(["address", "adress", "ratio", "retries"], exception.Violations.Select(v => v.Key).Order());
        Assert.Contains("did you mean \"address\"", exception.Violations.Single(v => v.Key == "adress").Problem, StringComparison.Ordinal);
        Assert.Equal("is required", exception.Violations.Single(v => v.Key == "address").Problem);
    }

    [Fact]
    public void Bind_AgentInjectedNomadKeys_AreAlwaysAllowed()
    {
        var options = OptionsBinder.Bind<SampleOptions>(Config("address=http://x", "nomad_region=global", "nomad_skip-verify=true"));

        Assert.NotNull(options.Address);
    }

    [Fact]
    public void Bind_UnknownKeyWithAllowUnknownKeys_IsAccepted()
    {
        var options = OptionsBinder.Bind<LenientOptions>(Config("name=a", "whatever=b"));

        Assert.Equal("a", options.Name);
    }

    [Fact]
    public void Bind_EmptyValue_CountsAsAbsent()
    {
        var exception = Assert.Throws<PluginConfigException>(() => OptionsBinder.Bind<SampleOptions>(Config("address=  ")));

        Assert.Equal("address", Assert.Single(exception.Violations).Key);
    }

    [Fact]
    public void Bind_MissingCSharpRequiredMember_IsViolation()
    {
        var exception = Assert.Throws<PluginConfigException>(() => OptionsBinder.Bind<RequiredMemberOptions>(Config()));

        Assert.Equal(new ConfigViolation("job", "is required"), Assert.Single(exception.Violations));
    }

    [Fact]
    public void Bind_KeyPrefix_CollectsEveryPrefixedKeyByTheRestOfItsName()
    {
        var options = OptionsBinder.Bind<PrefixOptions>(Config("address=http://x", "header_X-Scope-OrgID=tenant", "header_Authorization=Bearer t"));

        Assert.Equal(new Dictionary<string, string> { ["X-Scope-OrgID"] = "tenant", ["Authorization"] = "Bearer t" }, options.Headers);
    }

    [Fact]
    public void Bind_KeyPrefix_WithNoPrefixedKeys_IsEmpty()
    {
        Assert.Empty(OptionsBinder.Bind<PrefixOptions>(Config("address=http://x")).Headers);
    }

    [Fact]
    public void Bind_KeyPrefix_TheBarePrefixAndOtherKeysStayUnknown()
    {
        var exception = Assert.Throws<PluginConfigException>(() => OptionsBinder.Bind<PrefixOptions>(Config("header_=x", "headers_X=y")));

        Assert.Equal(["header_", "headers_X"], exception.Violations.Select(v => v.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Bind_KeyPrefix_OnANonMapProperty_IsReportedWithThePrefix()
    {
        var exception = Assert.Throws<PluginConfigException>(() => OptionsBinder.Bind<BadPrefixOptions>(Config()));

        var violation = Assert.Single(exception.Violations);
        Assert.Equal("tag_*", violation.Key);
        Assert.Contains("cannot be bound from a key prefix", violation.Problem, StringComparison.Ordinal);
    }
}
