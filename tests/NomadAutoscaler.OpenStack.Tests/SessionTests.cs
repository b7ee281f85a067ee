using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace NomadAutoscaler.OpenStack.Tests;

public sealed class SessionTests
{
    private static readonly OpenStackCredentials Password = new()
    {
        AuthUrl = "http://keystone.test:5000",
        Username = "alice",
        Password = "s3cret-pw",
        DomainName = "pco",
        ProjectName = "autoscaler",
    };

    private static readonly OpenStackClientOptions NoRetryDelay = new() { RetryBaseDelay = TimeSpan.Zero };

    private static (StubHandler Handler, Func<int> Auths) Cloud(FakeTimeProvider time, Func<HttpRequestMessage, HttpResponseMessage?>? service = null, TimeSpan? tokenLifetime = null)
    {
        var auths = 0;
        var handler = new StubHandler((request, _) =>
        {
            if (request.RequestUri!.AbsolutePath == "/v3/auth/tokens")
            {
                var n = Interlocked.Increment(ref auths);
                return StubHandler.Json(HttpStatusCode.Created, StubHandler.TokenBody(time.GetUtcNow() + (tokenLifetime ?? TimeSpan.FromHours(1))), $"token-{n}");
            }

            return service?.Invoke(request) ?? StubHandler.Json(HttpStatusCode.OK, """{"servers": []}""");
        });
        return (handler, () => Volatile.Read(ref auths));
    }

    [Fact]
    public async Task PasswordAuth_SendsScopedPasswordBody_AndCachesTheToken()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var (handler, auths) = Cloud(time);
        using var client = new OpenStackClient(Password, NoRetryDelay, handler, time);

        await client.Nova.ListServersAsync();
        await client.Nova.ListServersAsync();

        Assert.Equal(1, auths());
        var auth = JsonNode.Parse(handler.Requests[0].Body!)!["auth"]!;
        Assert.Equal("password", auth["identity"]!["methods"]![0]!.GetValue<string>());
        Assert.Equal("alice", auth["identity"]!["password"]!["user"]!["name"]!.GetValue<string>());
        Assert.Equal("pco", auth["identity"]!["password"]!["user"]!["domain"]!["name"]!.GetValue<string>());
        Assert.Equal("autoscaler", auth["scope"]!["project"]!["name"]!.GetValue<string>());
        Assert.Equal("pco", auth["scope"]!["project"]!["domain"]!["name"]!.GetValue<string>());
        Assert.All(handler.Requests.Skip(1), r => Assert.Equal("token-1", r.Headers["X-Auth-Token"]));
        Assert.Equal("/v2.1/servers/detail?limit=1000", handler.Requests[1].PathAndQuery);
        Assert.Equal("compute 2.52", handler.Requests[1].Headers["OpenStack-API-Version"]);
    }

    [Fact]
    public void ApplicationCredentialAuth_SendsNoScope()
    {
        var body = OpenStackSession.BuildAuthBody(new OpenStackCredentials
        {
            AuthUrl = "http://keystone.test/v3",
            ApplicationCredentialId = "ac1",
            ApplicationCredentialSecret = "ac-secret",
        });
        Assert.Equal("application_credential", body["auth"]!["identity"]!["methods"]![0]!.GetValue<string>());
        Assert.Equal("ac1", body["auth"]!["identity"]!["application_credential"]!["id"]!.GetValue<string>());
        Assert.Null(body["auth"]!["scope"]);
    }

    [Fact]
    public async Task Unauthorized_ReauthenticatesOnce_AndRepeatsTheCall()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var (handler, auths) = Cloud(time, request =>
            request.Headers.GetValues("X-Auth-Token").Single() == "token-1"
                ? StubHandler.Json(HttpStatusCode.Unauthorized, """{"error": {"message": "The request you have made requires authentication."}}""")
                : null);
        using var client = new OpenStackClient(Password, NoRetryDelay, handler, time);

        var servers = await client.Nova.ListServersAsync();

        Assert.Empty(servers);
        Assert.Equal(2, auths());
        Assert.Equal("token-2", handler.Requests.Last().Headers["X-Auth-Token"]);
    }

    [Fact]
    public async Task TokenNearExpiry_IsRenewedBeforeUse()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var (handler, auths) = Cloud(time, tokenLifetime: TimeSpan.FromMinutes(10));
        using var client = new OpenStackClient(Password, NoRetryDelay, handler, time);

        await client.Nova.ListServersAsync();
        time.Advance(TimeSpan.FromMinutes(7));
        await client.Nova.ListServersAsync();
        Assert.Equal(1, auths());
        time.Advance(TimeSpan.FromMinutes(1.5)); // inside the 2-minute refresh margin
        await client.Nova.ListServersAsync();

        Assert.Equal(2, auths());
        Assert.Equal("token-2", handler.Requests.Last().Headers["X-Auth-Token"]);
    }

    [Fact]
    public async Task Catalog_PicksTheConfiguredInterface_AndExplainsAMissingRegion()
    {
        var time = new FakeTimeProvider();
        var (handler, _) = Cloud(time);
        using var internalClient = new OpenStackClient(Password with { Interface = "internal" }, NoRetryDelay, handler, time);
        Assert.Equal(new Uri("http://nova-internal.test/v2.1/"), await internalClient.Session.GetEndpointAsync("compute"));

        using var otherRegion = new OpenStackClient(Password with { RegionName = "RegionTwo" }, NoRetryDelay, handler, time);
        var error = await Assert.ThrowsAsync<OpenStackConfigException>(() => otherRegion.Session.GetEndpointAsync("compute"));
        Assert.Contains("region \"RegionTwo\"", error.Message);
        Assert.Contains("RegionOne/public", error.Message);
        var missing = await Assert.ThrowsAsync<OpenStackConfigException>(() => otherRegion.Session.GetEndpointAsync("load-balancer"));
        Assert.Contains("no \"load-balancer\" service", missing.Message);
    }

    [Fact]
    public async Task TransientErrors_AreRetriedForGets_ButNeverForServerCreate()
    {
        var time = new FakeTimeProvider();
        var failures = 0;
        var (handler, _) = Cloud(time, request =>
            Interlocked.Increment(ref failures) <= 2 ? StubHandler.Json(HttpStatusCode.ServiceUnavailable, "<html>busy</html>") : null);
        using var client = new OpenStackClient(Password, NoRetryDelay, handler, time);

        await client.Nova.ListServersAsync();
        Assert.Equal(3, failures);

        failures = 0;
        var error = await Assert.ThrowsAsync<OpenStackApiException>(() => client.Nova.CreateServerAsync(new NovaServerCreateRequest { Name = "x", ImageId = "i", FlavorId = "f" }));
        Assert.True(error.IsTransient);
        Assert.Equal(1, handler.Requests.Count(r => r.Method == HttpMethod.Post && r.PathAndQuery.EndsWith("/servers", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Errors_CarryTheApiMessage_AndNeverASecret()
    {
        var time = new FakeTimeProvider();
        var handler = new StubHandler((request, _) => StubHandler.Json(HttpStatusCode.Unauthorized,
            """{"error": {"code": 401, "message": "The account is locked for user: alice.", "title": "Unauthorized"}}"""));
        using var client = new OpenStackClient(Password, NoRetryDelay, handler, time);

        var error = await Assert.ThrowsAsync<OpenStackApiException>(() => client.Session.AuthenticateAsync());

        Assert.Contains("authentication failed: The account is locked", error.Message);
        Assert.DoesNotContain("s3cret-pw", error.Message);
        Assert.DoesNotContain("s3cret-pw", Password.ToString());
        Assert.Contains("<redacted>", Password.ToString());
    }

    [Fact]
    public void ErrorDetail_ReadsNovaNeutronAndKeystoneBodies()
    {
        Assert.Equal("Quota exceeded for instances", OpenStackSession.ErrorDetail("""{"forbidden": {"message": "Quota exceeded for instances", "code": 403}}"""));
        Assert.Equal("Network x could not be found.", OpenStackSession.ErrorDetail("""{"NeutronError": {"type": "NetworkNotFound", "message": "Network x could not be found.", "detail": ""}}"""));
        Assert.Equal("plain text", OpenStackSession.ErrorDetail("plain text"));
    }

    [Fact]
    public void Credentials_ValidationNamesEveryMissingSetting()
    {
        var problems = new OpenStackCredentials { Username = "bob", ProjectName = "p" }.Validate();
        Assert.Contains(problems, p => p.StartsWith("auth_url is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("password is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("username needs a domain", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("project_name needs a domain", StringComparison.Ordinal));
        Assert.Empty(Password.Validate());
    }
}
