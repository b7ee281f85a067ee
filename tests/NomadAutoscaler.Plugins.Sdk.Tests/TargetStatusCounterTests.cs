using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

/// <summary>The counter entries of a target's status meta (<see cref="TargetStatusMeta.CounterPrefix"/>): the key a
/// plugin writes is the one the agent reads back, odd tag values included, and only that canonical key parses.</summary>
public sealed class TargetStatusCounterTests
{
    [Fact]
    public void A_counter_with_tags_is_written_sorted_and_escaped_and_reads_back()
    {
        var meta = new Dictionary<string, string>();

        TargetStatusMeta.SetCounter(meta, "os_nova.scale_out.fallback_count", 3,
            ("zone", "az 1"), ("reason", "quota"), ("pool_name", "web"), ("flavor", "m1.large"));

        var (key, value) = Assert.Single(meta);
        Assert.Equal("nomad_autoscaler.counter.os_nova.scale_out.fallback_count;flavor=m1.large;pool_name=web;reason=quota;zone=az%201", key);
        Assert.Equal("3", value);
        Assert.True(TargetStatusMeta.TryParseCounterKey(key, out var name, out var tags));
        Assert.Equal("os_nova.scale_out.fallback_count", name);
        Assert.Equal([KeyValuePair.Create("flavor", "m1.large"), KeyValuePair.Create("pool_name", "web"), KeyValuePair.Create("reason", "quota"),
            KeyValuePair.Create("zone", "az 1")], tags);
        Assert.True(TargetStatusMeta.TryParseCounterValue(value, out var count));
        Assert.Equal(3, count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a;b=c")]
    [InlineData("100%")]
    [InlineData("%41")]
    [InlineData("x=y;z")]
    [InlineData("zone/a,b\"c\\d\ne\tf")]
    [InlineData("ünïcødé ✓ 🚀")]
    [InlineData("~-._AZaz09")]
    public void Odd_tag_values_round_trip(string value)
    {
        var key = TargetStatusMeta.CounterKey("c", ("t", value));

        Assert.True(TargetStatusMeta.TryParseCounterKey(key, out var name, out var tags), key);
        Assert.Equal("c", name);
        Assert.Equal(value, Assert.Single(tags, t => t.Key == "t").Value);
        // Separators and the escape character never appear raw in a value, so the key splits one way only.
        Assert.Equal(2, key.Split('=').Length);
        Assert.Equal(2, key.Split(';').Length);
        Assert.Matches("^(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})*$", key.Split('=')[1]);
    }

    [Fact]
    public void Escaping_is_per_utf8_byte_in_upper_case_hex()
    {
        Assert.Equal("nomad_autoscaler.counter.c;t=%C3%A9%3B%3D%25%20", TargetStatusMeta.CounterKey("c", ("t", "é;=% ")));
        Assert.Equal("nomad_autoscaler.counter.c", TargetStatusMeta.CounterKey("c"));
        Assert.Equal("nomad_autoscaler.counter.c;e=", TargetStatusMeta.CounterKey("c", ("e", "")));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".a")]
    [InlineData("a.")]
    [InlineData("a..b")]
    [InlineData("a-b")]
    [InlineData("a b")]
    [InlineData("a;b")]
    [InlineData("é")]
    public void Bad_names_are_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => TargetStatusMeta.CounterKey(name));
        Assert.False(TargetStatusMeta.TryParseCounterKey(TargetStatusMeta.CounterPrefix + name, out _, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1a")]
    [InlineData("a.b")]
    [InlineData("a-b")]
    [InlineData("policy_id")]
    [InlineData("target_name")]
    public void Bad_or_reserved_tag_keys_are_refused(string tag)
    {
        Assert.Throws<ArgumentException>(() => TargetStatusMeta.CounterKey("c", (tag, "v")));
        Assert.False(TargetStatusMeta.TryParseCounterKey($"{TargetStatusMeta.CounterPrefix}c;{tag}=v", out _, out _));
    }

    [Fact]
    public void A_repeated_tag_key_or_a_lone_surrogate_is_refused()
    {
        Assert.Throws<ArgumentException>(() => TargetStatusMeta.CounterKey("c", ("a", "1"), ("a", "2")));
        Assert.Throws<ArgumentException>(() => TargetStatusMeta.CounterKey("c", ("a", "\uD800")));
        Assert.Throws<ArgumentOutOfRangeException>(() => TargetStatusMeta.SetCounter(new Dictionary<string, string>(), "c", -1));
    }

    [Theory]
    [InlineData("nomad_autoscaler.counter.c;b=1;a=2")] // not sorted
    [InlineData("nomad_autoscaler.counter.c;a=1;a=2")] // repeated
    [InlineData("nomad_autoscaler.counter.c;a=%3b")] // lower-case hex
    [InlineData("nomad_autoscaler.counter.c;a=%41")] // escapes a byte that needs none
    [InlineData("nomad_autoscaler.counter.c;a=a b")] // a byte that needs escaping, raw
    [InlineData("nomad_autoscaler.counter.c;a=%2")] // truncated escape
    [InlineData("nomad_autoscaler.counter.c;a=%FF")] // not UTF-8
    [InlineData("nomad_autoscaler.counter.c;a")] // no =
    [InlineData("nomad_autoscaler.counter.c;a=1;")] // empty tag
    [InlineData("nomad_autoscaler.counter.")] // no name
    [InlineData("nomad_autoscaler.notice")]
    [InlineData("os_nova.flavors")]
    public void Only_the_canonical_key_parses(string key)
        => Assert.False(TargetStatusMeta.TryParseCounterKey(key, out _, out _));

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("42", 42L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    public void Counter_values_are_non_negative_integers(string text, long expected)
    {
        Assert.True(TargetStatusMeta.TryParseCounterValue(text, out var count));
        Assert.Equal(expected, count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("1,000")]
    [InlineData("9223372036854775808")]
    [InlineData("many")]
    public void Other_counter_values_are_refused(string text)
        => Assert.False(TargetStatusMeta.TryParseCounterValue(text, out _));
}
