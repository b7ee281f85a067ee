using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.OsNova;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.OpenStack.Tests;

public sealed class PluginConfigTests
{
    private static PoolTarget Parse(TestLogger log, params (string Key, string Value)[] pairs)
        => PoolTarget.Parse(new PluginSettings(pairs.ToDictionary(p => p.Key, p => p.Value)), log);

    [Fact]
    public void MisspeltAvailabilityZones_IsAnAliasWithAWarning()
    {
        var log = new TestLogger();
        var target = Parse(log, ("pool_name", "p"), ("node_class", "c"), ("availavility_zones", "az1, az2"), ("evenly_split_azs", "true"));
        Assert.Equal(["az1", "az2"], target.AvailabilityZones);
        Assert.True(target.EvenlySplitAzs);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("availavility_zones is a misspelling", StringComparison.Ordinal));

        var both = Assert.Throws<PluginConfigException>(() => Parse(new TestLogger(), ("pool_name", "p"), ("node_class", "c"), ("availavility_zones", "a"), ("availability_zones", "b")));
        Assert.Equal("availavility_zones", Assert.Single(both.Violations).Key);
    }

    [Fact]
    public void Flags_AreRealBooleans()
    {
        var target = Parse(new TestLogger(), ("pool_name", "p"), ("node_class", "c"), ("stop_first", "false"), ("force_delete", "true"), ("evenly_split_azs", "false"));
        Assert.False(target.StopFirst);
        Assert.True(target.ForceDelete);
        Assert.False(target.EvenlySplitAzs);
        var error = Assert.Throws<PluginConfigException>(() => Parse(new TestLogger(), ("pool_name", "p"), ("node_class", "c"), ("stop_first", "yes")));
        Assert.Equal("stop_first", Assert.Single(error.Violations).Key);
    }

    [Fact]
    public void EveryProblem_IsReportedAtOnce_WithHintsForTypos()
    {
        var error = Assert.Throws<PluginConfigException>(() => Parse(new TestLogger(),
            ("name", "n"), ("name_prefix", "x-"), ("flavour_name", "f"), ("metadata", "a=1,broken"), ("node_selector_strategy", "random")));
        var keys = error.Violations.Select(v => v.Key).ToList();
        Assert.Contains("pool_name", keys);
        Assert.Contains("name", keys);
        Assert.Contains("metadata", keys);
        Assert.Contains("node_class", keys);   // no pool identification
        Assert.Contains("node_selector_strategy", keys);
        Assert.Contains(error.Violations, v => v.Key == "flavour_name" && v.Problem.Contains("did you mean \"flavor_name\"", StringComparison.Ordinal));
    }

    [Fact]
    public void ListsUseTheSeparator_AndMetadataKeepsEqualsInValues()
    {
        var target = Parse(new TestLogger(), ("pool_name", "p"), ("datacenter", "dc1"), ("value_separator", ";"),
            ("metadata", "role=worker; opts=a=b"), ("tags", "t1;t2"), ("security_groups", "default; web"), ("network_names", "n1;n2"));
        Assert.Equal("worker", target.Metadata["role"]);
        Assert.Equal("a=b", target.Metadata["opts"]);
        Assert.Equal(["t1", "t2"], target.Tags);
        Assert.Equal(["default", "web"], target.SecurityGroups);
        Assert.Equal(["n1", "n2"], target.NetworkNames);
        Assert.Equal("na_pool:p", target.PoolTag);
    }

    [Fact]
    public void ScaleOutNeeds_ImageFlavorNetworkAndName()
    {
        var target = Parse(new TestLogger(), ("pool_name", "p"), ("node_class", "c"));
        var error = Assert.Throws<PluginConfigException>(target.ValidateForScaleOut);
        Assert.Equal(["name_prefix", "image_id", "flavor_id", "network_ids"], error.Violations.Select(v => v.Key));
    }

    [Theory]
    [InlineData("SHUTOFF, error", true)]
    [InlineData("ACTIVE", false)]
    [InlineData("SHUTOFF,build", false)]
    public void IgnoredStates_RejectTheCountedOnes(string value, bool valid)
    {
        var options = new OsNovaOptions { IgnoredStates = value };
        var results = options.Validate(new ValidationContext(options)).ToList();
        Assert.Equal(valid, results.Count == 0);
        if (!valid) Assert.Matches("error setting ignored_states: state '(ACTIVE|BUILD)' can't be ignored", results[0].ErrorMessage);
        else Assert.Equal(["SHUTOFF", "ERROR"], options.IgnoredStateSet.Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public void NodeJoinKeys_HaveDefaults_AndBadValuesNameTheKey()
    {
        var defaults = new OsNovaOptions();
        Assert.Equal(TimeSpan.FromMinutes(10), defaults.NodeJoinTimeout);
        Assert.Equal(1, defaults.MaxUnjoinedReplacements);
        var options = new OsNovaOptions { NodeJoinTimeout = TimeSpan.FromSeconds(-1), MaxUnjoinedReplacements = -1 };
        var results = new List<ValidationResult>();
        Assert.False(Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        results.AddRange(options.Validate(new ValidationContext(options)));
        Assert.Contains(results, r => r.MemberNames.SequenceEqual([nameof(OsNovaOptions.NodeJoinTimeout)]));
        Assert.Contains(results, r => r.MemberNames.SequenceEqual([nameof(OsNovaOptions.MaxUnjoinedReplacements)]));
    }

    [Fact]
    public void FlavorNames_AreAnOrderedList_ExclusiveWithTheSingleFlavorKeys()
    {
        var target = Parse(new TestLogger(), ("pool_name", "p"), ("node_class", "c"), ("flavor_names", "2C-2GB-20GB, 4C-4GB-40GB"));
        Assert.Equal(["2C-2GB-20GB", "4C-4GB-40GB"], target.FlavorNames);
        foreach (var bad in new[] { ("flavor_name", "x"), ("flavor_id", "x") })
        {
            var both = Assert.Throws<PluginConfigException>(() => Parse(new TestLogger(), ("pool_name", "p"), ("node_class", "c"), ("flavor_names", "a,b"), bad));
            Assert.Equal("flavor_names", Assert.Single(both.Violations).Key);
        }

        var twice = Assert.Throws<PluginConfigException>(() => Parse(new TestLogger(), ("pool_name", "p"), ("node_class", "c"), ("flavor_names", "a, a")));
        Assert.Equal(("flavor_names", "lists a flavor twice"), (Assert.Single(twice.Violations).Key, twice.Violations[0].Problem));
        var empty = Assert.Throws<PluginConfigException>(() => Parse(new TestLogger(), ("pool_name", "p"), ("node_class", "c"), ("flavor_names", " , ")));
        Assert.Equal("flavor_names", Assert.Single(empty.Violations).Key);
    }

    [Theory]
    [InlineData("pool", null, null, "if 'lb_pool_id' is specified, required config param 'lb_member_port'", nameof(OsNovaOptions.LbMemberPort))]
    [InlineData("pool", 0, null, "invalid value for 'lb_member_port': 0 is not a port (1-65535)", nameof(OsNovaOptions.LbMemberPort))]
    [InlineData("pool", 65536, null, "invalid value for 'lb_member_port': 65536 is not a port (1-65535)", nameof(OsNovaOptions.LbMemberPort))]
    [InlineData(null, 80, null, "lb_member_port and lb_subnet_id need lb_pool_id", nameof(OsNovaOptions.LbPoolId))]
    [InlineData(null, null, "subnet", "lb_member_port and lb_subnet_id need lb_pool_id", nameof(OsNovaOptions.LbPoolId))]
    [InlineData("pool", 80, null, null, null)]
    [InlineData("pool", 65535, "subnet", null, null)]
    public void LoadBalancerKeys_NameTheKeyThatIsWrong(string? pool, int? port, string? subnet, string? error, string? member)
    {
        var options = new OsNovaOptions { LbPoolId = pool, LbMemberPort = port, LbSubnetId = subnet };
        var results = options.Validate(new ValidationContext(options)).ToList();
        if (error is null)
        {
            Assert.Empty(results);
            return;
        }

        var result = Assert.Single(results);
        Assert.Equal(error, result.ErrorMessage);
        Assert.Equal(member, Assert.Single(result.MemberNames));
    }

    [Fact]
    public void Credentials_ConfigKeysWinOverEnvironment_FieldByField()
    {
        var env = new Dictionary<string, string> { ["OS_AUTH_URL"] = "http://env.test/v3", ["OS_USERNAME"] = "env-user", ["OS_PASSWORD"] = "env-pw", ["OS_REGION_NAME"] = "R9" };
        var c = new OsNovaOptions { Username = "cfg-user", DomainName = "d", ProjectId = "p" }.ToCredentials(k => env.GetValueOrDefault(k));
        Assert.Equal("http://env.test/v3", c.AuthUrl);
        Assert.Equal("cfg-user", c.Username);
        Assert.Equal("env-pw", c.Password);
        Assert.Equal("R9", c.RegionName);
        Assert.Empty(c.Validate());
    }
}
