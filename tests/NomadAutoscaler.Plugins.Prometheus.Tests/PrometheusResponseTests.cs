using System.Net;
using System.Text;

namespace NomadAutoscaler.Plugins.Prometheus.Tests;

public class PrometheusResponseTests
{
    private static PrometheusResponse Parse(string body, HttpStatusCode status = HttpStatusCode.OK)
        => PrometheusResponse.Parse(status, Encoding.UTF8.GetBytes(body));

    private static string Error(string body, HttpStatusCode status = HttpStatusCode.OK)
        => Assert.Throws<PrometheusQueryException>(() => Parse(body, status)).Message;

    [Fact]
    public void Matrix_series_keeps_every_sample_oldest_first_with_millisecond_timestamps()
    {
        var series = Assert.Single(Parse(Bodies.OneSeriesMatrix).Series);

        Assert.Equal([100, 150.5, 200], series.Points.Select(p => p.Value));
        Assert.Equal(
            [DateTimeOffset.FromUnixTimeSeconds(1700000000), DateTimeOffset.FromUnixTimeSeconds(1700000001), DateTimeOffset.FromUnixTimeMilliseconds(1700000002250)],
            series.Points.Select(p => p.Timestamp));
        Assert.Equal("nomad_client_allocated_cpu{host=\"sim\", node_id=\"n1\"}", series.Describe());
    }

    [Fact]
    public void Matrix_with_two_streams_gives_two_series()
    {
        var series = Parse(Bodies.TwoSeriesMatrix).Series;

        Assert.Equal(2, series.Count);
        Assert.Equal([1, 2], series[0].Points.Select(p => p.Value));
        Assert.Equal([3], series[1].Points.Select(p => p.Value));
        Assert.Equal("{instance=\"b:9100\", job=\"node\"}", series[1].Describe());
    }

    [Fact]
    public void Each_vector_sample_is_its_own_series()
    {
        var series = Parse(Bodies.ThreeSampleVector).Series;

        Assert.Equal([10, 20, 30], series.Select(s => Assert.Single(s.Points).Value));
        Assert.All(series, s => Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000500), s.Points[0].Timestamp));
        Assert.Equal("{node_id=\"n2\"}", series[1].Describe());
    }

    [Fact]
    public void Scalar_is_one_series_of_one_point()
    {
        var point = Assert.Single(Assert.Single(Parse(Bodies.Scalar).Series).Points);

        Assert.Equal(7.25, point.Value);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1700000000500), point.Timestamp);
    }

    [Theory]
    [InlineData(Bodies.EmptyMatrix)]
    [InlineData(Bodies.EmptyVector)]
    public void Empty_results_have_no_series(string body) => Assert.Empty(Parse(body).Series);

    [Fact]
    public void String_results_are_refused_as_upstream()
        => Assert.Equal("result type (`string`) is not supported", Error(Bodies.StringResult));

    [Fact]
    public void NaN_fails_the_query_and_names_the_series()
    {
        var message = Error(Bodies.NaNInMatrix);

        Assert.StartsWith("query result value is not-a-number", message, StringComparison.Ordinal);
        Assert.Contains("{job=\"web\"}", message, StringComparison.Ordinal);
        Assert.Contains("2023-11-14T22:13:21.000Z", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Infinities_and_exponents_pass_through()
        => Assert.Equal([double.PositiveInfinity, double.NegativeInfinity, 1e6], Assert.Single(Parse(Bodies.InfinitiesInMatrix).Series).Points.Select(p => p.Value));

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.OK)]
    public void Api_errors_carry_type_and_message(HttpStatusCode status)
        => Assert.Equal("failed to query: bad_data: 1:5: parse error: unexpected right parenthesis ')'", Error(Bodies.BadData, status));

    [Theory]
    [InlineData(HttpStatusCode.BadGateway, "<html>bad gateway</html>", "failed to query: server_error: server error: 502: <html>bad gateway</html>")]
    [InlineData(HttpStatusCode.Unauthorized, "Unauthorized\n", "failed to query: client_error: client error: 401: Unauthorized")]
    [InlineData(HttpStatusCode.Forbidden, "", "failed to query: client_error: client error: 403")]
    public void Http_errors_without_an_api_body_name_the_status(HttpStatusCode status, string body, string expected)
        => Assert.Equal(expected, Error(body, status));

    [Fact]
    public void A_long_error_body_is_cut_short()
    {
        var message = Error(new string('x', 5000), HttpStatusCode.InternalServerError);

        Assert.True(message.Length < 300, message);
        Assert.EndsWith("…", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "failed to query: bad_response: the body is not JSON")]
    [InlineData("""{"status":"success"}""", "failed to query: bad_response: the answer has no data")]
    [InlineData("""{"status":"success","data":{"resultType":"matrix","result":{}}}""", "failed to query: bad_response: matrix is not a JSON array")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}}""", "failed to query: bad_response: sample value \"abc\" is not a number")]
    [InlineData("""{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1]}]}}""", "failed to query: bad_response: a sample is not [time, \"value\"]")]
    [InlineData("""{"status":"weird","data":{}}""", "failed to query: bad_response: unexpected status \"weird\"")]
    public void Malformed_answers_are_reported(string body, string expectedStart)
        => Assert.StartsWith(expectedStart, Error(body), StringComparison.Ordinal);

    [Fact]
    public void Success_body_with_an_api_error_code_is_inconsistent()
        => Assert.Equal("failed to query: bad_response: inconsistent body for response code", Error(Bodies.EmptyMatrix, HttpStatusCode.BadRequest));

    [Fact]
    public void Warnings_are_returned_for_the_log()
        => Assert.Equal(["results truncated due to limit"], Parse(Bodies.WithWarnings).Warnings);

    [Fact]
    public void Series_with_only_native_histograms_are_dropped()
    {
        const string body = """
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"le":"h"},"histograms":[[1700000000,{"count":"1","sum":"1"}]]},
              {"metric":{"le":"f"},"values":[[1700000000,"5"]]}]}}
            """;

        Assert.Equal("{le=\"f\"}", Assert.Single(Parse(body).Series).Describe());
    }

    [Theory]
    [InlineData("NaN", double.NaN)]
    [InlineData("+Inf", double.PositiveInfinity)]
    [InlineData("-Inf", double.NegativeInfinity)]
    [InlineData("0.1", 0.1)]
    [InlineData("-2.5e-3", -0.0025)]
    public void Sample_values_parse_as_prometheus_writes_them(string text, double expected)
    {
        Assert.True(PrometheusResponse.TryParseSampleValue(text, out var value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1,5")]
    [InlineData("one")]
    public void Other_sample_values_do_not_parse(string text) => Assert.False(PrometheusResponse.TryParseSampleValue(text, out _));
}
