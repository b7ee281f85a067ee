using System.Net;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

[Collection(OpenStackCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ClientIntegrationTests(ITestOutputHelper output)
{
    private static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (!await condition())
        {
            if (cts.IsCancellationRequested) Assert.Fail($"timed out after {timeout} waiting for {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }
    }

    [Fact]
    public async Task PasswordAuth_Catalog_Microversion_Images_Networks_SecurityGroups_Zones()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        var log = new TestLogger(output);
        using var client = new OpenStackClient(cloud.Member, logger: log);

        await client.Session.AuthenticateAsync();
        Assert.Equal(cloud.Id("OS_TEST_PROJECT_ID"), client.Session.ProjectId);
        Assert.Equal(new Uri(cloud.Id("OS_TEST_COMPUTE_URL") + "/"), await client.Session.GetEndpointAsync("compute"));

        var max = await client.Nova.DiscoverMicroversionAsync();
        Assert.Contains($"discovered current microversion for compute, making it the used one: microversion={max}", log.Messages);
        Assert.Equal(max, client.Nova.Microversion);

        Assert.Equal(cloud.Id("OS_TEST_IMAGE_ID"), await client.Glance.FindImageIdByNameAsync(cloud.Id("OS_TEST_IMAGE_NAME")));
        Assert.Null(await client.Glance.FindImageIdByNameAsync("no-such-image-" + Guid.NewGuid()));
        var network = Assert.Single(await client.Neutron.FindNetworksByNameAsync(cloud.Id("OS_TEST_NETWORK_NAME")));
        Assert.Equal(cloud.Id("OS_TEST_NETWORK_ID"), network.Id);
        Assert.True(Assert.Single(await client.Neutron.FindNetworksByNameAsync(cloud.Id("OS_TEST_EXTERNAL_NETWORK_NAME"))).External);
        Assert.NotEmpty(await client.Neutron.FindSecurityGroupIdsByNameAsync("default", client.Session.ProjectId));
        Assert.Equal(cloud.Id("OS_TEST_FLAVOR_ID"), await client.Nova.FindFlavorIdByNameAsync(cloud.Id("OS_TEST_FLAVOR_NAME")));
        var zones = await client.Nova.ListAvailabilityZonesAsync();
        Assert.Equal(cloud.Id("OS_TEST_AVAILABILITY_ZONES").Split(','), zones.Where(z => z.Available).Select(z => z.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ApplicationCredential_AndCloudsYaml_Authenticate()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        using (var appCred = new OpenStackClient(cloud.AppCred))
        {
            await appCred.Session.AuthenticateAsync();
            Assert.Equal(cloud.Id("OS_TEST_PROJECT_ID"), appCred.Session.ProjectId);
            Assert.NotNull(await appCred.Nova.ListServersAsync());
        }

        using var fromYaml = new OpenStackClient(CloudConfig.FromCloudsYaml("pco-member", cloud.CloudsYaml));
        await fromYaml.Session.AuthenticateAsync();
        Assert.Equal(cloud.Id("OS_TEST_PROJECT_ID"), fromYaml.Session.ProjectId);
    }

    [Fact]
    public async Task WrongPassword_IsAClearErrorWithoutTheSecret()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        using var client = new OpenStackClient(cloud.Member with { Password = "definitely-wrong-pw" }, new OpenStackClientOptions { MaxRetries = 0 });
        var error = await Assert.ThrowsAsync<OpenStackApiException>(() => client.Session.AuthenticateAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("authentication failed", error.Message);
        Assert.DoesNotContain("definitely-wrong-pw", error.ToString());
    }

    [Fact]
    public async Task RevokedToken_TriggersReauthentication()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        using var client = new OpenStackClient(cloud.Member);
        await client.Session.AuthenticateAsync();
        Assert.Equal(1, client.Session.AuthenticationCount);

        // Revoke our own token (DELETE /v3/auth/tokens) before Nova has seen (and cached) it: Nova then answers 401
        // and the session must log in again and repeat the call.
        var token = await client.Session.GetTokenValueAsync(CancellationToken.None);
        using (var http = new HttpClient())
        using (var revoke = new HttpRequestMessage(HttpMethod.Delete, cloud.Member.AuthUrl!.TrimEnd('/') + "/auth/tokens"))
        {
            revoke.Headers.Add("X-Auth-Token", token);
            revoke.Headers.Add("X-Subject-Token", token);
            using var answer = await http.SendAsync(revoke);
            Assert.Equal(HttpStatusCode.NoContent, answer.StatusCode);
        }

        await client.Nova.ListServersAsync();
        Assert.Equal(2, client.Session.AuthenticationCount);
        Assert.NotEqual(token, await client.Session.GetTokenValueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ExpiringToken_IsRenewedBeforeItExpires()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var client = new OpenStackClient(cloud.Member, timeProvider: time);
        await client.Nova.ListServersAsync();
        var expiresAt = client.Session.TokenExpiresAt!.Value;

        time.SetUtcNow(expiresAt - TimeSpan.FromSeconds(30));
        await client.Nova.ListServersAsync();

        Assert.Equal(2, client.Session.AuthenticationCount);
        Assert.True(client.Session.TokenExpiresAt > expiresAt - TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Server_Lifecycle_WithTagsMetadataGroupStopAndDelete()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        using var client = new OpenStackClient(cloud.Member);
        await client.Nova.DiscoverMicroversionAsync();
        var tag = "it-client-" + Guid.NewGuid().ToString("N")[..8];
        var group = await client.Nova.CreateServerGroupAsync(tag, "soft-anti-affinity");
        string? id = null;
        try
        {
            id = await client.Nova.CreateServerAsync(new NovaServerCreateRequest
            {
                Name = tag,
                ImageId = cloud.Id("OS_TEST_IMAGE_ID"),
                FlavorId = cloud.Id("OS_TEST_FLAVOR_ID"),
                NetworkIds = [cloud.Id("OS_TEST_NETWORK_ID")],
                SecurityGroups = ["default"],
                Metadata = new Dictionary<string, string> { ["role"] = "test" },
                Tags = [tag],
                AvailabilityZone = "az2",
                ServerGroupId = group.Id,
                UserDataBase64 = Convert.ToBase64String("#!/bin/sh\n"u8.ToArray()),
            });
            var serverId = id;
            await WaitForAsync(async () => (await client.Nova.GetServerAsync(serverId))?.Status == "ACTIVE", TimeSpan.FromMinutes(2), "ACTIVE");

            var listed = Assert.Single(await client.Nova.ListServersAsync(tag));
            Assert.Equal(id, listed.Id);
            Assert.Equal("az2", listed.AvailabilityZone);
            Assert.Contains(tag, listed.Tags);
            Assert.Equal("test", listed.Metadata["role"]);
            Assert.Contains(id, (await client.Nova.GetServerGroupAsync(group.Id))!.Members);

            await client.Nova.AddServerTagAsync(id, "extra");
            Assert.Contains("extra", await client.Nova.ListServerTagsAsync(id));
            await client.Nova.SetServerMetadataItemAsync(id, "k", "v");
            Assert.Equal("v", (await client.Nova.GetServerMetadataAsync(id))["k"]);
            Assert.NotEmpty(await client.Neutron.ListPortsAsync(id));

            Assert.True(await client.Nova.StopServerAsync(id));
            await WaitForAsync(async () => (await client.Nova.GetServerAsync(serverId))?.Status == "SHUTOFF", TimeSpan.FromMinutes(1), "SHUTOFF");
            Assert.True(await client.Nova.DeleteServerAsync(id));
            await WaitForAsync(async () => await client.Nova.GetServerAsync(serverId) is null, TimeSpan.FromMinutes(1), "deletion");
            Assert.False(await client.Nova.DeleteServerAsync(id));
            id = null;
        }
        finally
        {
            if (id is not null) await client.Nova.DeleteServerAsync(id);
            await client.Nova.DeleteServerGroupAsync(group.Id);
        }
    }
}
