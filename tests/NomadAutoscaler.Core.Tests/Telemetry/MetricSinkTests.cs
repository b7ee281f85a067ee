using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NomadAutoscaler.Core.Configuration;
using NomadAutoscaler.Core.Telemetry;

namespace NomadAutoscaler.Core.Tests.Telemetry;

/// <summary>The statsd, statsite and DogStatsD sinks against real loopback listeners, byte for byte.</summary>
public sealed class MetricSinkTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly Meter _meter = new(MetricsCollector.ServicePrefix);
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));

    public void Dispose()
    {
        _udp.Dispose();
        _meter.Dispose();
    }

    private string UdpAddress => "127.0.0.1:" + ((IPEndPoint)_udp.Client.LocalEndPoint!).Port;

    private MetricsCollector Collector(IMetricSink sink, string? host = "h", bool hostnameLabel = false)
        => new(m => m == _meter, _time, host, [sink], hostnameLabel);

    private async Task<string> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(Wait);
        var packet = await _udp.ReceiveAsync(timeout.Token);
        return Encoding.UTF8.GetString(packet.Buffer);
    }

    private void RecordOneOfEach()
    {
        _meter.CreateCounter<long>("scale.invoke.success_count").Add(1, new("policy_id", "p1"), new("target_name", "nomad-target"));
        _meter.CreateHistogram<double>("scale.invoke_ms").Record(12.5, new KeyValuePair<string, object?>("policy_id", "p1"));
    }

    [Fact]
    public async Task Statsd_sends_go_metrics_lines_with_label_values_in_the_name_after_the_flush_interval()
    {
        using var sink = StatsdSink.Statsd(UdpAddress, _time, NullLogger.Instance);
        using var collector = Collector(sink);
        RecordOneOfEach();
        _meter.CreateObservableGauge("policy.count.current", () => new Measurement<long>(3, new KeyValuePair<string, object?>("policy_id", "p1")));
        collector.EmitGauges();

        Assert.Equal(0, _udp.Available);
        _time.Advance(BufferedLineSink.FlushInterval);

        Assert.Equal(
            "nomad-autoscaler.scale.invoke.success_count.p1.nomad-target:1.000000|c\n"
            + "nomad-autoscaler.scale.invoke_ms.p1:12.500000|ms\n"
            + "nomad-autoscaler.h.policy.count.current.p1:3.000000|g\n",
            await ReceiveAsync());
    }

    [Fact]
    public async Task Statsd_starts_a_new_packet_before_one_would_pass_1400_bytes()
    {
        using var sink = StatsdSink.Statsd(UdpAddress, _time, NullLogger.Instance);
        using var collector = Collector(sink);
        var counter = _meter.CreateCounter<long>("policy.evaluation.outcome_count");
        // Each line is 64 bytes: 21 fit in 1400, the 22nd goes to the next packet.
        var line = "nomad-autoscaler.policy.evaluation.outcome_count.policy-0000:1.000000|c\n";
        for (var i = 0; i < 22; i++) counter.Add(1, new KeyValuePair<string, object?>("policy_id", "policy-0000"));

        var first = await ReceiveAsync();
        Assert.Equal(string.Concat(Enumerable.Repeat(line, 1400 / line.Length)), first);
        _time.Advance(BufferedLineSink.FlushInterval);
        Assert.Equal(string.Concat(Enumerable.Repeat(line, 22 - (1400 / line.Length))), await ReceiveAsync());
    }

    [Fact]
    public async Task Statsite_sends_the_same_lines_over_tcp()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var sink = StatsdSink.Statsite("127.0.0.1:" + ((IPEndPoint)listener.LocalEndpoint).Port, _time, NullLogger.Instance);
        using var collector = Collector(sink);
        RecordOneOfEach();
        _time.Advance(BufferedLineSink.FlushInterval);

        using var timeout = new CancellationTokenSource(Wait);
        using var client = await listener.AcceptTcpClientAsync(timeout.Token);
        var expected = "nomad-autoscaler.scale.invoke.success_count.p1.nomad-target:1.000000|c\nnomad-autoscaler.scale.invoke_ms.p1:12.500000|ms\n";
        var received = new MemoryStream();
        var buffer = new byte[4096];
        var stream = client.GetStream();
        while (received.Length < expected.Length)
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.NotEqual(0, read);
            received.Write(buffer, 0, read);
        }

        Assert.Equal(expected, Encoding.UTF8.GetString(received.ToArray()));
    }

    [Fact]
    public async Task DogStatsd_turns_labels_into_tags_after_the_configured_tags_and_takes_the_host_out_of_gauge_names()
    {
        using var sink = new DogStatsdSink(UdpAddress, "h", ["env:prod", "team:ops"], _time, NullLogger.Instance);
        using var collector = Collector(sink);
        RecordOneOfEach();
        _meter.CreateObservableGauge("policy.count.desired", () => new Measurement<double>(0.1, new KeyValuePair<string, object?>("pool", "a b:c")));
        _meter.CreateCounter<long>("policy.source.error_count").Add(2);
        collector.EmitGauges();
        _time.Advance(BufferedLineSink.FlushInterval);

        Assert.Equal(
            "nomad-autoscaler.scale.invoke.success_count:1|c|#env:prod,team:ops,policy_id:p1,target_name:nomad-target\n"
            + "nomad-autoscaler.scale.invoke_ms:12.5|ms|#env:prod,team:ops,policy_id:p1\n"
            + "nomad-autoscaler.policy.source.error_count:2|c|#env:prod,team:ops\n"
            + "nomad-autoscaler.policy.count.desired:0.10000000149011612|g|#env:prod,team:ops,pool:a_b_c\n",
            await ReceiveAsync());
    }

    [Fact]
    public async Task With_the_hostname_label_every_series_carries_host_and_gauge_names_do_not()
    {
        using var sink = new DogStatsdSink(UdpAddress, "h", [], _time, NullLogger.Instance);
        using var collector = Collector(sink, hostnameLabel: true);
        _meter.CreateCounter<long>("policy.source.error_count").Add(1);
        _meter.CreateObservableGauge("policy.total_num", () => 4L);
        collector.EmitGauges();
        _time.Advance(BufferedLineSink.FlushInterval);

        Assert.Equal(
            "nomad-autoscaler.policy.source.error_count:1|c|#host:h\nnomad-autoscaler.policy.total_num:4|g|#host:h\n",
            await ReceiveAsync());
        Assert.Contains(collector.Snapshot().Gauges, g => g.Name == "nomad-autoscaler.policy.total_num" && g.Labels.Contains(KeyValuePair.Create("host", "h")));
    }

    [Theory]
    [InlineData(1f, "1.000000", "1")]
    [InlineData(12.5f, "12.500000", "12.5")]
    [InlineData(0.0078125f, "0.007812", "0.0078125")]
    [InlineData(0.0234375f, "0.023438", "0.0234375")]
    [InlineData(-2.25f, "-2.250000", "-2.25")]
    [InlineData(1e-7f, "0.000000", "0.00000010000000116860974")]
    [InlineData(3e15f, "3000000028082176.000000", "3000000028082176")]
    public void Values_are_formatted_as_go_formats_a_float32(float value, string percentF, string shortest)
    {
        Assert.Equal(percentF, GoFloat.FixedSix(value));
        Assert.Equal(shortest, GoFloat.Shortest(value));
    }

    [Fact]
    public void Circonus_keys_and_malformed_sink_addresses_are_refused_by_key()
    {
        var config = ConfigLoader.Defaults("/work") with
        {
            Telemetry = new TelemetryConfig
            {
                Circonus = new Dictionary<string, string> { ["circonus_api_token"] = "secret-token", ["circonus_api_app"] = "x" },
                StatsdAddress = "no-port",
            },
        };

        var problems = ConfigValidator.Validate(config);

        Assert.Contains(problems, p => p.StartsWith("telemetry.circonus_api_app is not supported", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("telemetry.circonus_api_token is not supported", StringComparison.Ordinal));
        Assert.Contains("telemetry.statsd_address must be host:port such as \"127.0.0.1:8125\"; got \"no-port\"", problems);
        Assert.DoesNotContain(problems, p => p.Contains("secret-token", StringComparison.Ordinal));
    }
}
