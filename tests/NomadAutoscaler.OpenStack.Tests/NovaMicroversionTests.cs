using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace NomadAutoscaler.OpenStack.Tests;

public sealed class NovaMicroversionTests
{
    private static async Task<(NovaClient Nova, TestLogger Log, StubHandler Handler)> DiscoverAsync(string versionDocument)
    {
        var time = new FakeTimeProvider();
        var handler = new StubHandler((request, _) => request.RequestUri!.AbsolutePath switch
        {
            "/v3/auth/tokens" => StubHandler.Json(HttpStatusCode.Created, StubHandler.TokenBody(time.GetUtcNow().AddHours(1)), "t"),
            "/v2.1/" => StubHandler.Json(HttpStatusCode.OK, versionDocument),
            _ => StubHandler.Json(HttpStatusCode.OK, """{"servers": []}"""),
        });
        var log = new TestLogger();
        var client = new OpenStackClient(new OpenStackCredentials { AuthUrl = "http://k.test/v3", ApplicationCredentialId = "a", ApplicationCredentialSecret = "s" },
            new OpenStackClientOptions { RetryBaseDelay = TimeSpan.Zero }, handler, time, log);
        await client.Nova.DiscoverMicroversionAsync();
        return (client.Nova, log, handler);
    }

    [Fact]
    public async Task CurrentVersion_IsUsed_AndLogged()
    {
        var (nova, log, handler) = await DiscoverAsync("""{"version": {"id": "v2.1", "status": "CURRENT", "version": "2.87", "min_version": "2.1"}}""");
        Assert.Equal("2.87", nova.Microversion);
        Assert.Contains("discovered current microversion for compute, making it the used one: microversion=2.87", log.Messages);
        await nova.ListServersAsync();
        Assert.Equal("compute 2.87", handler.Requests.Last().Headers["OpenStack-API-Version"]);
    }

    [Fact]
    public async Task VersionList_PicksTheCurrentEntry_AndCapsAtTheVerifiedMaximum()
    {
        var (nova, log, _) = await DiscoverAsync("""
            {"versions": [{"id": "v2.0", "status": "SUPPORTED", "version": ""},
                          {"id": "v2.1", "status": "CURRENT", "version": "2.101", "min_version": "2.1"}]}
            """);
        Assert.Equal(NovaClient.MaximumMicroversion, nova.Microversion);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Information && e.Message == "discovered current microversion for compute, using the highest this client was verified with: microversion=2.101 used=" + NovaClient.MaximumMicroversion);
    }

    [Fact]
    public async Task TooOldCloud_IsRefusedWithTheReason()
    {
        var error = await Assert.ThrowsAsync<OpenStackApiException>(() => DiscoverAsync("""{"version": {"status": "CURRENT", "version": "2.38"}}"""));
        Assert.Contains("at least 2.52 is required", error.Message);
    }

    [Theory]
    [InlineData("2.9", "2.10", -1)]
    [InlineData("2.96", "2.96", 0)]
    [InlineData("2.100", "2.96", 1)]
    public void Microversions_CompareNumerically(string left, string right, int expected)
        => Assert.Equal(expected, Math.Sign(NovaClient.Compare(left, right)));
}
