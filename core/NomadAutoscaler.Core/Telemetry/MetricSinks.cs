using System.Globalization;
using System.Net.Sockets;
using System.Numerics;
using System.Text;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Core.Logging;

namespace NomadAutoscaler.Core.Telemetry;

/// <summary>A go-metrics sink: receives every counter increment and timer sample as it happens, and gauges every
/// collection interval. <paramref name="key"/> is go-metrics' key: the service prefix, for gauges the host name, then
/// the metric's name.</summary>
internal interface IMetricSink : IDisposable
{
    void SetGauge(IReadOnlyList<string> key, float value, IReadOnlyList<KeyValuePair<string, string>> labels);

    void IncrCounter(IReadOnlyList<string> key, float value, IReadOnlyList<KeyValuePair<string, string>> labels);

    void AddSample(IReadOnlyList<string> key, float value, IReadOnlyList<KeyValuePair<string, string>> labels);
}

/// <summary>Collects protocol lines into packets and sends them every flush interval (100 ms, as go-metrics' statsd
/// and statsite sinks and the DogStatsD client do), or at once when the next line would overflow a packet.</summary>
internal abstract class BufferedLineSink : IMetricSink
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private readonly MemoryStream _current = new();
    private readonly Queue<byte[]> _ready = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly ITimer _timer;
    private readonly int _maxPacket;
    private readonly ILogger _logger;
    private bool _failing;

    protected BufferedLineSink(string name, string address, int maxPacket, TimeProvider time, ILogger logger)
    {
        Name = name;
        Address = address;
        _maxPacket = maxPacket;
        _logger = logger;
        _timer = time.CreateTimer(_ => Flush(), null, FlushInterval, FlushInterval);
    }

    public string Name { get; }

    public string Address { get; }

    public abstract void SetGauge(IReadOnlyList<string> key, float value, IReadOnlyList<KeyValuePair<string, string>> labels);

    public abstract void IncrCounter(IReadOnlyList<string> key, float value, IReadOnlyList<KeyValuePair<string, string>> labels);

    public abstract void AddSample(IReadOnlyList<string> key, float value, IReadOnlyList<KeyValuePair<string, string>> labels);

    /// <summary>Sends what is buffered now.</summary>
    public void Flush()
    {
        lock (_lock) Seal();
        _ = SendReadyAsync();
    }

    protected void Push(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        bool overflowed;
        lock (_lock)
        {
            overflowed = _current.Length > 0 && _current.Length + bytes.Length > _maxPacket;
            if (overflowed) Seal();
            _current.Write(bytes);
        }

        if (overflowed) _ = SendReadyAsync();
    }

    /// <summary>Sends one packet (UDP) or writes it to the stream (TCP); throws on failure.</summary>
    protected abstract Task SendAsync(byte[] packet);

    /// <summary>Drops the connection so the next send makes a new one.</summary>
    protected abstract void Reset();

    private void Seal()
    {
        if (_current.Length == 0) return;
        _ready.Enqueue(_current.ToArray());
        _current.SetLength(0);
    }

    private async Task SendReadyAsync()
    {
        await _sending.WaitAsync();
        try
        {
            while (true)
            {
                byte[] packet;
                lock (_lock)
                {
                    if (!_ready.TryDequeue(out packet!)) return;
                }

                try
                {
                    await SendAsync(packet);
                    if (_failing) _logger.Hclog(LogLevel.Information, "metrics sink recovered", ("sink", Name), ("address", Address));
                    _failing = false;
                }
                catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
                {
                    // As go-metrics: the packet is dropped and the next flush reconnects. Logged once per outage.
                    if (!_failing) _logger.Hclog(LogLevel.Error, "failed to send metrics", ("sink", Name), ("address", Address), ("error", ex.Message));
                    _failing = true;
                    Reset();
                }
            }
        }
        finally
        {
            _sending.Release();
        }
    }

    public void Dispose()
    {
        _timer.Dispose();
        Flush();
        // The final flush is best effort and bounded, as go-metrics' Shutdown.
        _sending.Wait(TimeSpan.FromSeconds(1));
        Reset();
    }

    /// <summary>Splits <c>host:port</c> (brackets around an IPv6 host); null when it is not that shape.</summary>
    public static (string Host, int Port)? ParseAddress(string address)
    {
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            return null;
        var host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        return host.Length == 0 ? null : (host, port);
    }
}

/// <summary>go-metrics' statsd sink (UDP) and, over TCP, its statsite sink: <c>name:value|c</c>, <c>|g</c>, <c>|ms</c>
/// with go's <c>%f</c> value, label values appended to the name.</summary>
internal sealed class StatsdSink : BufferedLineSink
{
    /// <summary>go-metrics' statsdMaxLen.</summary>
    public const int MaxPacket = 1400;

    private readonly bool _tcp;
    private readonly string _host;
    private readonly int _port;
    private Socket? _socket;

    private StatsdSink(string name, string address, bool tcp, TimeProvider time, ILogger logger)
        : base(name, address, tcp ? int.MaxValue : MaxPacket, time, logger)
    {
        _tcp = tcp;
        (_host, _port) = ParseAddress(address) ?? throw new ArgumentException($"telemetry.{name}_address \"{address}\" is not host:port", nameof(address));
    }

    public static StatsdSink Statsd(string address, TimeProvider time, ILogger logger) => new("statsd", address, tcp: false, time, logger);

    public static StatsdSink Statsite(string address, TimeProvider time, ILogger logger) => new("statsite", address, tcp: true, time, logger);

    public override void SetGauge(IReadOnlyList<string> key, float value, IReadOnlyList<KeyValuePair<string, string>> labels)
        => Push(Line(key, labels, value, "g"));

    public override void IncrCounter(IReadOnlyList<string> key, float value, IReadOnlyList<KeyValuePair<string, string>> labels)
        => Push(Line(key, labels, value, "c"));

    public override void AddSample(IReadOnlyList<string> key, float value, IReadOnlyList<KeyValuePair<string, string>> labels)
        => Push(Line(key, labels, value, "ms"));

    /// <summary>go-metrics' flattenKeyLabels then <c>fmt.Sprintf("%s:%f|type\n")</c>.</summary>
    internal static string Line(IReadOnlyList<string> key, IReadOnlyList<KeyValuePair<string, string>> labels, float value, string type)
    {
        var name = Sanitize(string.Join('.', key.Concat(labels.Select(l => l.Value))));
        return name + ":" + GoFloat.FixedSix(value) + "|" + type + "\n";
    }

    /// <summary>go-metrics replaces ':' and ' ' in names, which would break the line format.</summary>
    internal static string Sanitize(string name) => name.Replace(':', '_').Replace(' ', '_');

    protected override async Task SendAsync(byte[] packet)
    {
        if (_socket is null)
        {
            var socket = new Socket(_tcp ? SocketType.Stream : SocketType.Dgram, _tcp ? ProtocolType.Tcp : ProtocolType.Udp);
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.ConnectAsync(_host, _port, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                socket.Dispose();
                throw new IOException($"connecting to {_host}:{_port} timed out");
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            _socket = socket;
        }

        var sent = 0;
        while (sent < packet.Length) sent += await _socket.SendAsync(packet.AsMemory(sent), SocketFlags.None);
    }

    protected override void Reset()
    {
        _socket?.Dispose();
        _socket = null;
    }
}

/// <summary>go-metrics' DogStatsD sink over the DogStatsD client: the host name is taken out of gauge names, labels
/// become tags after <c>dogstatsd_tags</c>, counts are integers and values use go's shortest float format.</summary>
internal sealed class DogStatsdSink : BufferedLineSink
{
    /// <summary>The DogStatsD client's optimal UDP payload.</summary>
    public const int MaxPacket = 1432;

    private readonly string _host;
    private readonly int _port;
    private readonly string? _hostName;
    private readonly IReadOnlyList<string> _globalTags;
    private Socket? _socket;

    public DogStatsdSink(string address, string? hostName, IReadOnlyList<string> globalTags, TimeProvider time, ILogger logger)
        : base("dogstatsd", address, MaxPacket, time, logger)
    {
        (_host, _port) = ParseAddress(address) ?? throw new ArgumentException($"telemetry.dogstatsd_address \"{address}\" is not host:port", nameof(address));
        _hostName = hostName;
        _globalTags = globalTags;
    }

    public override void SetGauge(IReadOnlyList<string> key, float value, IReadOnlyList<KeyValuePair<string, string>> labels)
        => Push(Line(key, labels, GoFloat.Shortest(value), "g"));

    public override void IncrCounter(IReadOnlyList<string> key, float value, IReadOnlyList<KeyValuePair<string, string>> labels)
        => Push(Line(key, labels, ((long)value).ToString(CultureInfo.InvariantCulture), "c"));

    public override void AddSample(IReadOnlyList<string> key, float value, IReadOnlyList<KeyValuePair<string, string>> labels)
        => Push(Line(key, labels, GoFloat.Shortest(value), "ms"));

    internal string Line(IReadOnlyList<string> key, IReadOnlyList<KeyValuePair<string, string>> labels, string value, string type)
    {
        var name = StatsdSink.Sanitize(string.Join('.', key.Where(part => part != _hostName)));
        var tags = _globalTags.Concat(labels.Select(l =>
        {
            var tagName = StatsdSink.Sanitize(l.Key);
            var tagValue = StatsdSink.Sanitize(l.Value);
            return tagValue.Length > 0 ? tagName + ":" + tagValue : tagName;
        })).Select(t => t.Replace("\n", "", StringComparison.Ordinal)).ToList();
        var line = new StringBuilder(name).Append(':').Append(value).Append('|').Append(type);
        if (tags.Count > 0) line.Append("|#").AppendJoin(',', tags);
        return line.Append('\n').ToString();
    }

    protected override async Task SendAsync(byte[] packet)
    {
        if (_socket is null)
        {
            var socket = new Socket(SocketType.Dgram, ProtocolType.Udp);
            try
            {
                await socket.ConnectAsync(_host, _port);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            _socket = socket;
        }

        await _socket.SendAsync(packet, SocketFlags.None);
    }

    protected override void Reset()
    {
        _socket?.Dispose();
        _socket = null;
    }
}

/// <summary>Go's float formatting of a go-metrics <c>float32</c>.</summary>
internal static class GoFloat
{
    /// <summary><c>fmt</c>'s <c>%f</c>: six decimals, the exact binary value rounded half to even.</summary>
    public static string FixedSix(float value)
    {
        if (float.IsNaN(value)) return "NaN";
        if (float.IsInfinity(value)) return value > 0 ? "+Inf" : "-Inf";
        var bits = BitConverter.SingleToInt32Bits(value);
        var negative = bits < 0;
        var exponent = (bits >> 23) & 0xFF;
        long mantissa = bits & 0x7FFFFF;
        if (exponent == 0) exponent = 1;
        else mantissa |= 0x800000;
        // value = mantissa * 2^(exponent - 150); scaled = value * 10^6 as an exact fraction num / den.
        var shift = exponent - 150;
        var num = new BigInteger(mantissa) * BigInteger.Pow(10, 6);
        var den = BigInteger.One;
        if (shift >= 0) num <<= shift;
        else den <<= -shift;
        var quotient = BigInteger.DivRem(num, den, out var remainder);
        var twice = remainder * 2;
        if (twice > den || (twice == den && !quotient.IsEven)) quotient += 1;
        var digits = quotient.ToString(CultureInfo.InvariantCulture).PadLeft(7, '0');
        var text = digits[..^6] + "." + digits[^6..];
        return negative ? "-" + text : text;
    }

    /// <summary><c>strconv.FormatFloat(float64(v), 'f', -1, 64)</c>: the shortest digits that read back as the same
    /// float64, never in exponent form.</summary>
    public static string Shortest(float value)
    {
        double wide = value;
        if (double.IsNaN(wide)) return "NaN";
        if (double.IsInfinity(wide)) return wide > 0 ? "+Inf" : "-Inf";
        var text = wide.ToString("R", CultureInfo.InvariantCulture);
        var e = text.IndexOf('E', StringComparison.Ordinal);
        if (e < 0) return text;
        var exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = text[..e];
        var negative = mantissa.StartsWith('-');
        if (negative) mantissa = mantissa[1..];
        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        var integerDigits = (point < 0 ? mantissa.Length : point) + exponent;
        string result;
        if (integerDigits <= 0) result = "0." + new string('0', -integerDigits) + digits;
        else if (integerDigits >= digits.Length) result = digits + new string('0', integerDigits - digits.Length);
        else result = digits[..integerDigits] + "." + digits[integerDigits..];
        return negative ? "-" + result : result;
    }
}
