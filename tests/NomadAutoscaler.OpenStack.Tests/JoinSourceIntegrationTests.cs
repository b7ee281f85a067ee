using NomadAutoscaler.Simulator.CloudJoin;
using Xunit.Abstractions;

namespace NomadAutoscaler.OpenStack.Tests;

[Collection(OpenStackCollection.Name)]
[Trait("Category", "Integration")]
public sealed class JoinSourceIntegrationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task NovaJoinSource_FromCloudsYamlEnvironment_ListsServersWithTagsAndMetadata()
    {
        var cloud = LoopbackCloud.Get(output);
        if (cloud is null) return;
        var tag = "na_pool:it-join-" + Guid.NewGuid().ToString("N")[..8];
        using var client = new OpenStackClient(cloud.Member);
        var id = await client.Nova.CreateServerAsync(new NovaServerCreateRequest
        {
            Name = "it-join",
            ImageId = cloud.Id("OS_TEST_IMAGE_ID"),
            FlavorId = cloud.Id("OS_TEST_FLAVOR_ID"),
            NetworkIds = [cloud.Id("OS_TEST_NETWORK_ID")],
            Tags = [tag],
            Metadata = new Dictionary<string, string> { ["na_pool"] = "x" },
        });
        try
        {
            using var source = NovaCloudJoinSource.FromEnvironment(new Dictionary<string, string>
            {
                ["OS_CLOUD"] = "pco-appcred",
                ["OS_CLIENT_CONFIG_FILE"] = cloud.CloudsYaml,
            });
            var server = Assert.Single(await source.ListServersAsync(CancellationToken.None), s => s.Id == id);
            Assert.Equal("it-join", server.Name);
            Assert.Contains(tag, server.Tags);
            Assert.Equal("x", server.Metadata["na_pool"]);
        }
        finally
        {
            await client.Nova.DeleteServerAsync(id);
        }
    }
}
