namespace NomadAutoscaler.Plugins.Prometheus.Tests;

/// <summary>Prometheus HTTP API answers, in the exact shape Prometheus 2.x writes them.</summary>
internal static class Bodies
{
    public const string EmptyMatrix = """{"status":"success","data":{"resultType":"matrix","result":[]}}""";

    public const string EmptyVector = """{"status":"success","data":{"resultType":"vector","result":[]}}""";

    public const string OneSeriesMatrix = """
        {"status":"success","data":{"resultType":"matrix","result":[
          {"metric":{"__name__":"nomad_client_allocated_cpu","node_id":"n1","host":"sim"},
           "values":[[1700000000,"100"],[1700000001,"150.5"],[1700000002.25,"200"]]}]}}
        """;

    public const string TwoSeriesMatrix = """
        {"status":"success","data":{"resultType":"matrix","result":[
          {"metric":{"instance":"a:9100","job":"node"},"values":[[1700000000,"1"],[1700000001,"2"]]},
          {"metric":{"instance":"b:9100","job":"node"},"values":[[1700000000,"3"]]}]}}
        """;

    public const string ThreeSampleVector = """
        {"status":"success","data":{"resultType":"vector","result":[
          {"metric":{"node_id":"n1"},"value":[1700000000.5,"10"]},
          {"metric":{"node_id":"n2"},"value":[1700000000.5,"20"]},
          {"metric":{"node_id":"n3"},"value":[1700000000.5,"30"]}]}}
        """;

    public const string OneSampleVector = """
        {"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.123,"42"]}]}}
        """;

    public const string Scalar = """{"status":"success","data":{"resultType":"scalar","result":[1700000000.5,"7.25"]}}""";

    public const string StringResult = """{"status":"success","data":{"resultType":"string","result":[1700000000,"hello"]}}""";

    public const string NaNInMatrix = """
        {"status":"success","data":{"resultType":"matrix","result":[
          {"metric":{"job":"web"},"values":[[1700000000,"1"],[1700000001,"NaN"]]}]}}
        """;

    public const string InfinitiesInMatrix = """
        {"status":"success","data":{"resultType":"matrix","result":[
          {"metric":{},"values":[[1700000000,"+Inf"],[1700000001,"-Inf"],[1700000002,"1e+06"]]}]}}
        """;

    public const string BadData = """{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected right parenthesis ')'"}""";

    public const string WithWarnings = """
        {"status":"success","warnings":["results truncated due to limit"],"data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000,"1"]}]}}
        """;

    public static string Vector(int series)
    {
        var samples = Enumerable.Range(1, series).Select(i => "{\"metric\":{\"__name__\":\"up\",\"instance\":\"host-" + i + "\"},\"value\":[1700000000,\"1\"]}");
        return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[" + string.Join(",", samples) + "]}}";
    }
}
