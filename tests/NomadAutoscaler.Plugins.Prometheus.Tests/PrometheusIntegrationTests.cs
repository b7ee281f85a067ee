using System.Diagnostics.CodeAnalysis;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using NomadAutoscaler.Plugins.Contracts.Apm.V1;
using NomadAutoscaler.Plugins.Contracts.Base.V1;
using NomadAutoscaler.Plugins.Contracts.Shared.V1;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Simulator;
using Xunit.Abstractions;

namespace NomadAutoscaler.Plugins.Prometheus.Tests;

/// <summary>The plugin against the real Prometheus of tests/infra/prometheus/up.sh, which scrapes a Nomad simulator
/// started here. Every test labels its simulator's series with its own <c>sim</c> id, so tests can run in parallel
/// against one Prometheus.</summary>
[Trait("Category", "Integration")]
[SuppressMessage("Reliability", "CA1001", Justification = "xunit disposes it through IAsyncLifetime.DisposeAsync.")]
public sealed class PrometheusIntegrationTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan ScrapeWait = TimeSpan.FromSeconds(30);

    private readonly string _id = Guid.NewGuid().ToString("N")[..12];
    private readonly NomadSimulator _simulator = new();
    private PrometheusServer? _prometheus;
    private ScrapeTarget? _target;

    private string Cpu => $"nomad_client_unallocated_cpu{{sim=\"{_id}\"}}";

    public async Task InitializeAsync()
    {
        _prometheus = await PrometheusServer.FindAsync(output);
        if (_prometheus is null) return;
        var uri = await _simulator.StartAsync(new SimulatorOptions
        {
            NodeName = "sim-" + _id,
            Nodes =
            {
                new SimulatorNodeSpec { Name = "node-a", Cpu = 4000 },
                new SimulatorNodeSpec { Name = "node-b", Cpu = 2000, ReservedCpu = 500 },
            },
        });
        _target = _prometheus.Scrape(uri, _id);
        await _prometheus.WaitUntilAsync($"sum({Cpu})", v => v == 5500, ScrapeWait);
    }

    public async Task DisposeAsync()
    {
        _target?.Dispose();
        await _simulator.DisposeAsync();
    }

    private async Task<PrometheusApm> InProcessPluginAsync()
    {
        var plugin = new PrometheusApm(null, TimeProvider.System, null);
        await plugin.ConfigureAsync(new PrometheusOptions { Address = _prometheus!.Address.ToString() }, CancellationToken.None);
        return plugin;
    }

    [Fact]
    public async Task Plugin_process_follows_the_simulators_state_through_prometheus()
    {
        if (_prometheus is null) return;
        await using var plugin = await PluginProcess.StartAsync();
        var config = new SetConfigRequest();
        config.Config.Add("address", _prometheus.Address.ToString());
        await plugin.Base.SetConfigAsync(config);

        // Range query: 1 s step, so a 10 s window has at most 11 points, one second apart, newest = current state.
        var now = DateTimeOffset.UtcNow;
        var range = await plugin.Apm.QueryAsync(new QueryRequest
        {
            Query = $"sum({Cpu})",
            TimeRange = new TimeRange { From = Timestamp.FromDateTimeOffset(now.AddSeconds(-10)), To = Timestamp.FromDateTimeOffset(now) },
        });
        var points = range.TimestampedMetric.Select(m => (Time: m.Timestamp.ToDateTimeOffset(), m.Value)).ToList();
        Assert.InRange(points.Count, 1, 11);
        Assert.Equal(5500, points[^1].Value);
        Assert.All(points.Zip(points.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second.Time - pair.First.Time));
        Assert.All(points, p => Assert.InRange(p.Time, now.AddSeconds(-10).AddMilliseconds(-1), now.AddMilliseconds(1)));

        // Change the cluster, wait for a scrape to record it, and the plugin sees the new value.
        _simulator.AddNode(new SimulatorNodeSpec { Name = "node-c", Cpu = 1000 });
        await _prometheus.WaitUntilAsync($"sum({Cpu})", v => v == 6500, ScrapeWait);
        var instantAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        var instant = await plugin.Apm.QueryAsync(new QueryRequest { Query = $"sum({Cpu})", TimeRange = new TimeRange { From = instantAt, To = instantAt } });
        Assert.Equal(6500, Assert.Single(instant.TimestampedMetric).Value);

        // One series per node: QueryMultiple returns all of them, Query refuses and says why.
        var window = new TimeRange { From = instantAt, To = instantAt };
        var multiple = await plugin.Apm.QueryMultipleAsync(new QueryMultipleRequest { Query = Cpu, TimeRange = window });
        Assert.Equal([1000, 1500, 4000], multiple.TimestampedMetric.Select(s => Assert.Single(s.TimestampedMetric).Value).Order());
        var error = await Assert.ThrowsAsync<RpcException>(async () => await plugin.Apm.QueryAsync(new QueryRequest { Query = Cpu, TimeRange = window }));
        Assert.StartsWith("query returned 3 metric streams, only 1 is expected: nomad_client_unallocated_cpu{", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains($"sim=\"{_id}\"", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instant_query_sees_the_current_allocation()
    {
        if (_prometheus is null) return;
        using var plugin = await InProcessPluginAsync();
        var nodes = _simulator.GetNodes();
        Assert.Equal(2, nodes.Count);

        var at = DateTimeOffset.UtcNow;
        var points = await plugin.QueryAsync(new ApmQuery($"count({Cpu})", at, at), CancellationToken.None);

        var point = Assert.Single(points);
        Assert.Equal(2, point.Value);
        Assert.InRange(point.Timestamp, at.AddMilliseconds(-1), at.AddMilliseconds(1));
    }

    [Fact]
    public async Task Scalar_nan_empty_and_invalid_queries_behave_as_documented()
    {
        if (_prometheus is null) return;
        using var plugin = await InProcessPluginAsync();
        var at = DateTimeOffset.UtcNow;

        var scalar = await plugin.QueryAsync(new ApmQuery($"scalar(sum({Cpu})) * 2", at, at), CancellationToken.None);
        Assert.Equal(11000, Assert.Single(scalar).Value);

        var nan = await Assert.ThrowsAsync<PrometheusQueryException>(async () => await plugin.QueryAsync(new ApmQuery($"sum({Cpu}) / 0 * 0", at.AddSeconds(-5), at), CancellationToken.None));
        Assert.StartsWith("query result value is not-a-number", nan.Message, StringComparison.Ordinal);

        Assert.Empty(await plugin.QueryAsync(new ApmQuery($"nomad_client_unallocated_cpu{{sim=\"no-{_id}\"}}", at.AddMinutes(-1), at), CancellationToken.None));
        Assert.Empty(await plugin.QueryMultipleAsync(new ApmQuery($"nomad_client_unallocated_cpu{{sim=\"no-{_id}\"}}", at, at), CancellationToken.None));

        var invalid = await Assert.ThrowsAsync<PrometheusQueryException>(async () => await plugin.QueryAsync(new ApmQuery("sum(", at.AddMinutes(-1), at), CancellationToken.None));
        Assert.StartsWith("failed to query: bad_data: ", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_window_longer_than_prometheus_allows_at_one_second_steps_is_an_error()
    {
        if (_prometheus is null) return;
        using var plugin = await InProcessPluginAsync();
        var at = DateTimeOffset.UtcNow;

        // 11,000 points per series is Prometheus's limit, so with upstream's 1 s step a window can be about 3h 3m.
        var error = await Assert.ThrowsAsync<PrometheusQueryException>(async () => await plugin.QueryAsync(new ApmQuery($"sum({Cpu})", at.AddHours(-4), at), CancellationToken.None));

        Assert.Contains("exceeded maximum resolution of 11,000 points", error.Message, StringComparison.Ordinal);
    }
}
