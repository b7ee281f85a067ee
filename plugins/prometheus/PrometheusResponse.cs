using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Plugins.Prometheus;

/// <summary>The usable content of a Prometheus HTTP API answer (<c>/api/v1/query</c>, <c>/api/v1/query_range</c>).</summary>
/// <param name="Series">Every series with at least one float sample, in the server's order.</param>
/// <param name="Warnings">The answer's <c>warnings</c>, for the log.</param>
internal sealed record PrometheusResponse(IReadOnlyList<PrometheusSeries> Series, IReadOnlyList<string> Warnings)
{
    // Enough of an unexpected body to recognise a proxy's or server's complaint, not enough to flood a log line.
    private const int MaxBodySnippet = 200;

    /// <summary>Interprets one HTTP answer. Errors follow the Go client's (client_golang) wording, which upstream's
    /// plugin prefixes with <c>failed to query: </c>.</summary>
    /// <exception cref="PrometheusQueryException">The server reported an error, the body is not an API answer, the result
    /// type is <c>string</c>, or a sample is NaN (upstream refuses NaN: a strategy cannot act on it).</exception>
    public static PrometheusResponse Parse(HttpStatusCode status, ReadOnlySpan<byte> body)
    {
        var code = (int)status;
        // Prometheus answers API errors with 400 (bad_data) or 422 (execution) and a JSON error body.
        var apiErrorCode = code is 400 or 422;
        JsonDocument? document = null;
        try
        {
            try
            {
                document = JsonDocument.Parse(body.ToArray());
            }
            catch (JsonException ex)
            {
                if (code / 100 != 2 && !apiErrorCode) throw HttpStatusError(code, body);
                throw Failed($"bad_response: the body is not JSON ({ex.Message})");
            }

            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Failed("bad_response: the body is not a JSON object");
            var statusText = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            if (statusText == "error")
            {
                var type = root.TryGetProperty("errorType", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "unknown";
                var message = root.TryGetProperty("error", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : "";
                throw Failed($"{type}: {message}");
            }

            if (code / 100 != 2) throw apiErrorCode ? Failed("bad_response: inconsistent body for response code") : HttpStatusError(code, body);
            if (statusText != "success") throw Failed($"bad_response: unexpected status {Quote(statusText)}");
            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
                throw Failed("bad_response: the answer has no data");

            var warnings = new List<string>();
            if (root.TryGetProperty("warnings", out var w) && w.ValueKind == JsonValueKind.Array)
            {
                foreach (var warning in w.EnumerateArray())
                {
                    if (warning.ValueKind == JsonValueKind.String) warnings.Add(warning.GetString()!);
                }
            }

            return new PrometheusResponse(ParseData(data), warnings);
        }
        finally
        {
            document?.Dispose();
        }
    }

    private static List<PrometheusSeries> ParseData(JsonElement data)
    {
        var resultType = data.TryGetProperty("resultType", out var rt) && rt.ValueKind == JsonValueKind.String ? rt.GetString() : null;
        if (!data.TryGetProperty("result", out var result)) throw Failed("bad_response: the answer has no data.result");
        var series = new List<PrometheusSeries>();
        switch (resultType)
        {
            case "matrix":
                foreach (var stream in Array(result, "matrix"))
                {
                    var labels = Labels(stream);
                    var points = new List<MetricPoint>();
                    // "histograms" (native histograms) carry no float value a strategy could use; upstream ignores them too.
                    if (stream.TryGetProperty("values", out var values))
                    {
                        foreach (var pair in Array(values, "matrix values"))
                            points.Add(Sample(pair, labels));
                    }

                    if (points.Count > 0) series.Add(new PrometheusSeries(labels, points));
                }

                break;
            case "vector":
                // Each sample of an instant vector is its own series (upstream folds them into one, which hides
                // several series from the single-series check; see README).
                foreach (var sample in Array(result, "vector"))
                {
                    var labels = Labels(sample);
                    if (sample.TryGetProperty("value", out var value))
                        series.Add(new PrometheusSeries(labels, [Sample(value, labels)]));
                }

                break;
            case "scalar":
                series.Add(new PrometheusSeries([], [Sample(result, [])]));
                break;
            default:
                throw new PrometheusQueryException($"result type (`{resultType}`) is not supported");
        }

        return series;
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement element, string what)
        => element.ValueKind == JsonValueKind.Array ? element.EnumerateArray() : throw Failed($"bad_response: {what} is not a JSON array");

    private static List<KeyValuePair<string, string>> Labels(JsonElement item)
    {
        var labels = new List<KeyValuePair<string, string>>();
        if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("metric", out var metric) && metric.ValueKind == JsonValueKind.Object)
        {
            foreach (var label in metric.EnumerateObject())
                labels.Add(KeyValuePair.Create(label.Name, label.Value.ValueKind == JsonValueKind.String ? label.Value.GetString()! : label.Value.GetRawText()));
        }

        labels.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return labels;
    }

    /// <summary>A <c>[unix seconds, "value"]</c> pair. Timestamps keep Prometheus's millisecond precision.</summary>
    private static MetricPoint Sample(JsonElement pair, IReadOnlyList<KeyValuePair<string, string>> labels)
    {
        if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2
            || pair[0].ValueKind != JsonValueKind.Number || pair[1].ValueKind != JsonValueKind.String)
            throw Failed($"bad_response: a sample is not [time, \"value\"]: {Truncate(pair.GetRawText())}");

        var milliseconds = (long)Math.Round(pair[0].GetDouble() * 1000, MidpointRounding.AwayFromZero);
        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        var text = pair[1].GetString()!;
        if (!TryParseSampleValue(text, out var value))
            throw Failed($"bad_response: sample value {Quote(text)} is not a number");
        if (double.IsNaN(value))
        {
            var series = new PrometheusSeries(labels, []).Describe();
            throw new PrometheusQueryException(
                $"query result value is not-a-number (series {series} at {timestamp.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)})");
        }

        return new MetricPoint(timestamp, value);
    }

    /// <summary>Sample values as Prometheus writes them (Go <c>FormatFloat</c>): decimals, exponents, <c>NaN</c>,
    /// <c>+Inf</c>, <c>-Inf</c>. Infinities pass through, as upstream.</summary>
    internal static bool TryParseSampleValue(string text, out double value)
    {
        switch (text.ToUpperInvariant())
        {
            case "NAN":
                value = double.NaN;
                return true;
            case "+INF" or "INF" or "+INFINITY" or "INFINITY":
                value = double.PositiveInfinity;
                return true;
            case "-INF" or "-INFINITY":
                value = double.NegativeInfinity;
                return true;
            default:
                return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
        }
    }

    private static PrometheusQueryException HttpStatusError(int code, ReadOnlySpan<byte> body)
    {
        var message = (code / 100) switch
        {
            4 => $"client_error: client error: {code}",
            5 => $"server_error: server error: {code}",
            _ => $"bad_response: bad response code {code}",
        };
        var snippet = Truncate(Encoding.UTF8.GetString(body).Trim());
        return Failed(snippet.Length == 0 ? message : $"{message}: {snippet}");
    }

    private static PrometheusQueryException Failed(string detail) => new($"failed to query: {detail}");

    private static string Quote(string? text) => text is null ? "(none)" : $"\"{Truncate(text)}\"";

    private static string Truncate(string text)
        => text.Length <= MaxBodySnippet ? text.ReplaceLineEndings(" ") : string.Concat(text.AsSpan(0, MaxBodySnippet).ToString().ReplaceLineEndings(" "), "…");
}
