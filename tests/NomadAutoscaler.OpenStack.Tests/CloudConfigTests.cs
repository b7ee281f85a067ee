namespace NomadAutoscaler.OpenStack.Tests;

public sealed class CloudConfigTests
{
    [Fact]
    public void Environment_IsReadFieldByField_IncludingRegionAndDomains()
    {
        var env = new Dictionary<string, string>
        {
            ["OS_AUTH_URL"] = "http://k.test:5000/v3",
            ["OS_USERNAME"] = "u",
            ["OS_USER_DOMAIN_NAME"] = "ud",
            ["OS_PROJECT_NAME"] = "p",
            ["OS_PROJECT_DOMAIN_NAME"] = "pd",
            ["OS_REGION_NAME"] = "RegionTwo",
            ["OS_INTERFACE"] = "internalURL",
        };
        var c = CloudConfig.FromEnvironment(k => env.GetValueOrDefault(k));
        Assert.Equal("http://k.test:5000/v3", c.AuthUrl);
        Assert.Equal("ud", c.UserDomainName);
        Assert.Equal("pd", c.ProjectDomainName);
        Assert.Equal("RegionTwo", c.RegionName);
        Assert.Equal("internal", c.Interface);
        // No password: unlike gophercloud, the rest is kept and the problem is named.
        Assert.Contains(c.Validate(), p => p.StartsWith("password is required", StringComparison.Ordinal));
    }

    [Fact]
    public void CloudsYaml_SelectsTheNamedCloud()
    {
        const string yaml = """
            clouds:
              one:
                auth: {auth_url: "http://a.test/v3", username: x, password: y, user_domain_name: d, project_id: pid}
                region_name: R1
              appcred:
                auth_type: v3applicationcredential
                auth:
                  auth_url: http://b.test:5000
                  application_credential_id: acid
                  application_credential_secret: acs
                interface: internal
            """;
        var c = CloudConfig.ParseCloudsYaml(yaml, "appcred", "clouds.yaml");
        Assert.True(c.UsesApplicationCredential);
        Assert.Equal("acid", c.ApplicationCredentialId);
        Assert.Equal("internal", c.Interface);
        Assert.Equal("RegionOne", c.RegionName);
        Assert.Empty(c.Validate());
        Assert.Equal("R1", CloudConfig.ParseCloudsYaml(yaml, "one", "clouds.yaml").RegionName);
    }

    [Fact]
    public void CloudsYaml_ErrorsNameFileLineAndColumn_OrTheKnownClouds()
    {
        var bad = Assert.Throws<OpenStackConfigException>(() => CloudConfig.ParseCloudsYaml("clouds:\n  a: 'unterminated\n  b: 2\n", "a", "/etc/clouds.yaml"));
        Assert.Matches(@"^/etc/clouds\.yaml:\d+:\d+: invalid YAML", bad.Message);

        var flow = Assert.Throws<OpenStackConfigException>(() => CloudConfig.ParseCloudsYaml("clouds:\n  a: [1,\n  b: 2\n", "a", "/etc/clouds.yaml"));
        Assert.StartsWith("/etc/clouds.yaml: invalid YAML", flow.Message);

        var unknown = Assert.Throws<OpenStackConfigException>(() => CloudConfig.ParseCloudsYaml("clouds:\n  prod: {}\n  dev: {}\n", "stage", "c.yaml"));
        Assert.Contains("cloud \"stage\" not found (clouds: prod, dev)", unknown.Message);

        var nested = Assert.Throws<OpenStackConfigException>(() => CloudConfig.ParseCloudsYaml("clouds:\n  a:\n    auth:\n      password: [x]\n", "a", "c.yaml"));
        Assert.StartsWith("c.yaml:4:17: \"password\" must be a plain value", nested.Message);
        Assert.DoesNotContain("[x]", nested.Message);
    }
}
