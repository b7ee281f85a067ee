using System.Net;
using System.Net.Sockets;

namespace NomadAutoscaler.Simulator.Tests;

/// <summary>Tokens with an ACL policy: each endpoint checks the capability Nomad checks, and answers Nomad's 403 texts.
/// Also the API on a unix socket, as a task with workload identity reaches it.</summary>
public sealed class AclPolicyTests
{
    private const string Policy = """
        namespace "default" {
          capabilities = ["read-job-scaling", "read-job"]
          variables {
            path "nomad-autoscaler/*" { capabilities = ["read"] }
            path "nomad-autoscaler/lock*" { capabilities = ["read", "write"] }
          }
        }
        namespace "team-*" {
          policy = "scale"
        }
        node {
          policy = "read"
        }
        """;

    private static Task<SimulatorHarness> StartAsync(string? socket = null) => SimulatorHarness.StartAsync(o =>
    {
        o.ManagementToken = "management";
        o.AclTokens["limited"] = Policy;
        o.UnixSocketPath = socket;
    });

    [Theory]
    [InlineData("GET", "/v1/job/example", HttpStatusCode.OK)]
    [InlineData("GET", "/v1/job/example/scale", HttpStatusCode.OK)]
    [InlineData("POST", "/v1/job/example/scale", HttpStatusCode.Forbidden)]
    [InlineData("GET", "/v1/scaling/policies", HttpStatusCode.Forbidden)]
    [InlineData("GET", "/v1/scaling/policies?namespace=team-a", HttpStatusCode.OK)]
    [InlineData("GET", "/v1/jobs", HttpStatusCode.Forbidden)]
    [InlineData("GET", "/v1/nodes", HttpStatusCode.OK)]
    [InlineData("POST", "/v1/node/x/eligibility", HttpStatusCode.Forbidden)]
    [InlineData("GET", "/v1/agent/self", HttpStatusCode.Forbidden)]
    [InlineData("PUT", "/v1/var/nomad-autoscaler/lock/state", HttpStatusCode.OK)]
    [InlineData("PUT", "/v1/var/nomad-autoscaler/other", HttpStatusCode.Forbidden)]
    [InlineData("DELETE", "/v1/var/nomad-autoscaler/lock", HttpStatusCode.Forbidden)]
    public async Task Each_endpoint_needs_its_capability(string method, string path, HttpStatusCode expected)
    {
        await using var h = await StartAsync();
        h.Simulator.RegisterJob(JobJson.Service("example", count: 1, min: 1, max: 5));
        var body = method == "POST" ? """{"Count":2,"Target":{"Group":"example"}}""" : method == "PUT" ? """{"Items":{"a":"b"}}""" : null;

        var reply = await h.SendAsync(new HttpMethod(method), path, body, token: "limited");

        Assert.Equal(expected, reply.Status);
        if (expected == HttpStatusCode.Forbidden) Assert.Equal("Permission denied", reply.Body);
        // The management token may do what the limited one may not.
        if (expected == HttpStatusCode.Forbidden && !path.Contains("/node/", StringComparison.Ordinal))
            Assert.NotEqual(HttpStatusCode.Forbidden, (await h.SendAsync(new HttpMethod(method), path, body, token: "management")).Status);
    }

    [Fact]
    public async Task An_unknown_token_is_not_found_and_a_variable_read_hides_the_lock_from_a_non_management_token()
    {
        await using var h = await StartAsync();
        Assert.Equal("ACL token not found", (await h.GetAsync("/v1/nodes", token: "other")).Body);
        var acquire = await h.SendAsync(HttpMethod.Put, "/v1/var/nomad-autoscaler/lock?lock-acquire", """{"Lock":{"TTL":"15s"}}""", token: "limited");
        Assert.Equal(HttpStatusCode.OK, acquire.Status);

        Assert.Null((await h.GetAsync("/v1/var/nomad-autoscaler/lock", token: "limited")).Json["Lock"]);
        Assert.NotNull((await h.GetAsync("/v1/var/nomad-autoscaler/lock", token: "management")).Json["Lock"]);
    }

    [Fact]
    public async Task A_malformed_policy_is_refused_at_start_naming_its_position()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => SimulatorHarness.StartAsync(o => o.AclTokens["t"] = "namespace \"default\" {\n  capabilities = [\n}"));
        Assert.Contains("acl-policy.hcl:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_is_served_on_a_unix_socket_too()
    {
        var dir = Directory.CreateTempSubdirectory("sim-sock-").FullName;
        try
        {
            var socket = Path.Combine(dir, "api.sock");
            await using var h = await StartAsync(socket);
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                    return new NetworkStream(s, ownsSocket: true);
                },
            };
            using var http = new HttpClient(handler) { BaseAddress = new Uri("http://localhost") };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/nodes");
            request.Headers.Add("X-Nomad-Token", "limited");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("[]", await response.Content.ReadAsStringAsync());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
