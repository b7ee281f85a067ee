using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc;
using Shared = NomadAutoscaler.Plugins.Contracts.Shared.V1;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

public sealed class ProtoMappingTests
{
    [Fact]
    public void ToProto_Meta_IsJsonObjectInAnyWithEmptyTypeUrl()
    {
        var action = new ScalingAction(5, ScalingDirection.Up, "load") { Meta = new Dictionary<string, object?> { ["nodes"] = 2, ["pool"] = "a" } };

        var proto = ProtoMapping.ToProto(action);

        Assert.Equal(Shared.ScalingDirection.Up, proto.Direction);
        Assert.Equal("", proto.Meta.TypeUrl);
        Assert.Equal("{\"nodes\":2,\"pool\":\"a\"}", proto.Meta.Value.ToStringUtf8());
    }

    [Fact]
    public void ToProto_EmptyMeta_LeavesFieldUnset()
        => Assert.Null(ProtoMapping.ToProto(new ScalingAction(1, ScalingDirection.None, "")).Meta);

    [Fact]
    public void FromProto_MetaJson_RoundTripsScalars()
    {
        var proto = new Shared.ScalingAction
        {
            Count = 3,
            Direction = Shared.ScalingDirection.Down,
            Reason = "r",
            Error = true,
            Meta = new Any { TypeUrl = "", Value = ByteString.CopyFromUtf8("{\"a\":1,\"b\":1.5,\"c\":\"x\",\"d\":true,\"e\":null,\"f\":[1]}") },
        };

        var action = ProtoMapping.FromProto(proto);

        Assert.Equal(ScalingDirection.Down, action.Direction);
        Assert.True(action.Error);
        Assert.Equal(1L, action.Meta["a"]);
        Assert.Equal(1.5, action.Meta["b"]);
        Assert.Equal("x", action.Meta["c"]);
        Assert.Equal(true, action.Meta["d"]);
        Assert.Null(action.Meta["e"]);
        Assert.Equal("{\"a\":1,\"b\":1.5,\"c\":\"x\",\"d\":true,\"e\":null,\"f\":[1]}", ProtoMapping.ToProto(action).Meta.Value.ToStringUtf8());
    }

    [Fact]
    public void FromProto_Check_MapsWindowAndStrategyConfig()
    {
        var check = new Shared.ScalingPolicyCheck
        {
            Name = "cpu",
            QueryWindow = Duration.FromTimeSpan(TimeSpan.FromMinutes(5)),
            Strategy = new Shared.ScalingPolicyStrategy { Name = "target-value", Config = { ["target"] = "70" } },
        };

        var mapped = ProtoMapping.FromProto(check);

        Assert.Equal(TimeSpan.FromMinutes(5), mapped.QueryWindow);
        Assert.Equal(70, mapped.Strategy.Config.GetDouble("target"));
    }

    [Fact]
    public void ApmQuery_MissingRange_UsesInjectedNow()
    {
        var now = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now);

        var query = ProtoMapping.ApmQuery("q", null, time);

        Assert.Equal(now, query.From);
        Assert.Equal(now, query.To);
    }

    [Theory]
    [InlineData(Shared.ScalingDirection.Unspecified)]
    [InlineData((Shared.ScalingDirection)7)]
    public void FromStrategyProto_WithoutAKnownDirection_IsNull_WhileATargetReadsItAsNoChange(Shared.ScalingDirection direction)
    {
        var proto = new Shared.ScalingAction { Count = 4, Direction = direction };

        Assert.Null(ProtoMapping.FromStrategyProto(proto));
        Assert.Null(ProtoMapping.FromStrategyProto(null));
        Assert.Equal(ScalingDirection.None, ProtoMapping.FromProto(proto).Direction);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public void Meta_that_is_not_a_json_object_is_kept_as_text_under_raw(string bytes)
    {
        var proto = new Shared.ScalingAction
        {
            Direction = Shared.ScalingDirection.Up,
            Meta = new Any { TypeUrl = "", Value = ByteString.CopyFromUtf8(bytes) },
        };

        var action = ProtoMapping.FromStrategyProto(proto)!;

        Assert.Equal(bytes, Assert.Single(action.Meta, m => m.Key == "_raw").Value);
    }

    [Fact]
    public void A_check_and_a_time_range_survive_the_round_trip_from_agent_to_plugin()
    {
        var check = new PolicyCheck("cpu", "prometheus", "avg(x)", TimeSpan.FromSeconds(90),
            new StrategyConfig("target-value", new PluginSettings(new Dictionary<string, string> { ["target"] = "70" })));
        var from = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var query = new ApmQuery("avg(x)", from, from.AddMinutes(1));

        var back = ProtoMapping.FromProto(ProtoMapping.ToProto(check));
        var range = ProtoMapping.ApmQuery("avg(x)", ProtoMapping.ToTimeRange(query), TimeProvider.System);

        Assert.Equal((check.Name, check.Source, check.Query, check.QueryWindow, check.Strategy.Name), (back.Name, back.Source, back.Query, back.QueryWindow, back.Strategy.Name));
        Assert.Equal("70", back.Strategy.Config.GetString("target"));
        Assert.Equal(query, range);
    }
}
