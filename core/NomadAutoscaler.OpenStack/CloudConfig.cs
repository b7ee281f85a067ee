using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace NomadAutoscaler.OpenStack;

/// <summary>Builds <see cref="OpenStackCredentials"/> from the places OpenStack tools read them: <c>OS_*</c> environment
/// variables and <c>clouds.yaml</c>. Explicit settings (the plugin's config block) are layered on top by the caller.</summary>
public static class CloudConfig
{
    /// <summary>The <c>OS_*</c> variables read by <see cref="FromEnvironment"/>.</summary>
    public static IReadOnlyList<string> EnvironmentVariables { get; } =
    [
        "OS_AUTH_URL", "OS_USERNAME", "OS_USERID", "OS_USER_ID", "OS_PASSWORD", "OS_USER_DOMAIN_NAME", "OS_USER_DOMAIN_ID",
        "OS_DOMAIN_NAME", "OS_DOMAIN_ID", "OS_PROJECT_ID", "OS_TENANT_ID", "OS_PROJECT_NAME", "OS_TENANT_NAME",
        "OS_PROJECT_DOMAIN_NAME", "OS_PROJECT_DOMAIN_ID", "OS_APPLICATION_CREDENTIAL_ID", "OS_APPLICATION_CREDENTIAL_NAME",
        "OS_APPLICATION_CREDENTIAL_SECRET", "OS_REGION_NAME", "OS_INTERFACE", "OS_CACERT", "OS_INSECURE", "OS_CLOUD",
        "OS_CLIENT_CONFIG_FILE",
    ];

    /// <summary>Reads every <c>OS_*</c> variable field by field (unlike gophercloud's all-or-nothing fallback, a
    /// missing password does not discard the URL; the region and the user/project domains are read too).</summary>
    /// <param name="environment">Reads a variable; defaults to the process environment.</param>
    public static OpenStackCredentials FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        string? Get(params string[] names)
        {
            foreach (var name in names)
            {
                var value = environment(name);
                if (!string.IsNullOrWhiteSpace(value)) return value.Trim();
            }

            return null;
        }

        var insecure = Get("OS_INSECURE");
        return new OpenStackCredentials
        {
            AuthUrl = Get("OS_AUTH_URL"),
            Username = Get("OS_USERNAME"),
            UserId = Get("OS_USER_ID", "OS_USERID"),
            Password = Get("OS_PASSWORD"),
            UserDomainName = Get("OS_USER_DOMAIN_NAME"),
            UserDomainId = Get("OS_USER_DOMAIN_ID"),
            DomainName = Get("OS_DOMAIN_NAME"),
            DomainId = Get("OS_DOMAIN_ID"),
            ProjectId = Get("OS_PROJECT_ID", "OS_TENANT_ID"),
            ProjectName = Get("OS_PROJECT_NAME", "OS_TENANT_NAME"),
            ProjectDomainName = Get("OS_PROJECT_DOMAIN_NAME"),
            ProjectDomainId = Get("OS_PROJECT_DOMAIN_ID"),
            ApplicationCredentialId = Get("OS_APPLICATION_CREDENTIAL_ID"),
            ApplicationCredentialName = Get("OS_APPLICATION_CREDENTIAL_NAME"),
            ApplicationCredentialSecret = Get("OS_APPLICATION_CREDENTIAL_SECRET"),
            RegionName = Get("OS_REGION_NAME") ?? OpenStackCredentials.DefaultRegion,
            Interface = NormaliseInterface(Get("OS_INTERFACE")) ?? OpenStackCredentials.DefaultInterface,
            CaCertFile = Get("OS_CACERT"),
            InsecureSkipVerify = insecure is not null && (insecure.Equals("true", StringComparison.OrdinalIgnoreCase) || insecure == "1"),
        };
    }

    /// <summary>The clouds.yaml locations searched, in order: <c>OS_CLIENT_CONFIG_FILE</c>, the working directory,
    /// <c>~/.config/openstack</c>, <c>/etc/openstack</c>.</summary>
    public static IReadOnlyList<string> SearchPaths(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var paths = new List<string>();
        var explicitFile = environment("OS_CLIENT_CONFIG_FILE");
        if (!string.IsNullOrWhiteSpace(explicitFile)) paths.Add(explicitFile);
        paths.Add(Path.Combine(Directory.GetCurrentDirectory(), "clouds.yaml"));
        var home = environment("HOME");
        if (!string.IsNullOrEmpty(home)) paths.Add(Path.Combine(home, ".config", "openstack", "clouds.yaml"));
        paths.Add("/etc/openstack/clouds.yaml");
        return paths;
    }

    /// <summary>Loads one cloud from a clouds.yaml file.</summary>
    /// <param name="cloudName">The key under <c>clouds:</c>.</param>
    /// <param name="path">The file; null searches <see cref="SearchPaths"/>.</param>
    /// <param name="environment">For the search paths.</param>
    /// <exception cref="OpenStackConfigException">No file, invalid YAML (with line and column), or no such cloud.</exception>
    public static OpenStackCredentials FromCloudsYaml(string cloudName, string? path = null, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(cloudName);
        var file = path ?? SearchPaths(environment).FirstOrDefault(File.Exists)
            ?? throw new OpenStackConfigException($"cloud \"{cloudName}\": no clouds.yaml found (searched {string.Join(", ", SearchPaths(environment))})");
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OpenStackConfigException($"{file}: cannot read clouds.yaml: {ex.Message}", ex);
        }

        return ParseCloudsYaml(text, cloudName, file);
    }

    internal static OpenStackCredentials ParseCloudsYaml(string text, string cloudName, string fileName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new OpenStackConfigException($"{fileName}:{ex.Start.Line}:{ex.Start.Column}: invalid YAML: {StripPosition(ex.Message)}", ex);
        }
        catch (InvalidOperationException ex)
        {
            // Some malformed flow collections make the YamlDotNet scanner fail without a position.
            throw new OpenStackConfigException($"{fileName}: invalid YAML: {ex.Message}", ex);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new OpenStackConfigException($"{fileName}:1:1: clouds.yaml must be a mapping with a \"clouds\" key");
        if (Child(root, "clouds") is not YamlMappingNode clouds)
            throw new OpenStackConfigException($"{fileName}:{root.Start.Line}:{root.Start.Column}: clouds.yaml has no \"clouds\" mapping");
        if (Child(clouds, cloudName) is not YamlMappingNode cloud)
        {
            var names = clouds.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value).ToList();
            throw new OpenStackConfigException($"{fileName}: cloud \"{cloudName}\" not found (clouds: {string.Join(", ", names)})");
        }

        var auth = Child(cloud, "auth") as YamlMappingNode;
        string? AuthValue(string key) => auth is null ? null : Scalar(auth, key, fileName);
        string? CloudValue(string key) => Scalar(cloud, key, fileName);
        var verify = CloudValue("verify");
        return new OpenStackCredentials
        {
            AuthUrl = AuthValue("auth_url"),
            Username = AuthValue("username"),
            UserId = AuthValue("user_id"),
            Password = AuthValue("password"),
            UserDomainName = AuthValue("user_domain_name"),
            UserDomainId = AuthValue("user_domain_id"),
            DomainName = AuthValue("domain_name"),
            DomainId = AuthValue("domain_id"),
            ProjectId = AuthValue("project_id") ?? AuthValue("tenant_id"),
            ProjectName = AuthValue("project_name") ?? AuthValue("tenant_name"),
            ProjectDomainName = AuthValue("project_domain_name"),
            ProjectDomainId = AuthValue("project_domain_id"),
            ApplicationCredentialId = AuthValue("application_credential_id"),
            ApplicationCredentialName = AuthValue("application_credential_name"),
            ApplicationCredentialSecret = AuthValue("application_credential_secret"),
            RegionName = CloudValue("region_name") ?? OpenStackCredentials.DefaultRegion,
            Interface = NormaliseInterface(CloudValue("interface")) ?? OpenStackCredentials.DefaultInterface,
            CaCertFile = CloudValue("cacert"),
            InsecureSkipVerify = verify is not null && verify.Equals("false", StringComparison.OrdinalIgnoreCase),
        };
    }

    internal static string? NormaliseInterface(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "publicurl" => "public",
        "internalurl" => "internal",
        "adminurl" => "admin",
        var other => other,
    };

    private static YamlNode? Child(YamlMappingNode node, string key)
        => node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    private static string? Scalar(YamlMappingNode node, string key, string fileName)
    {
        var child = Child(node, key);
        return child switch
        {
            null => null,
            YamlScalarNode scalar => string.IsNullOrEmpty(scalar.Value) ? null : scalar.Value,
            _ => throw new OpenStackConfigException($"{fileName}:{child.Start.Line}:{child.Start.Column}: \"{key}\" must be a plain value"),
        };
    }

    // YamlDotNet prefixes messages with "(Line: x, Col: y, Idx: z) - (…): "; the position is already in ours.
    private static string StripPosition(string message)
    {
        var index = message.LastIndexOf("): ", StringComparison.Ordinal);
        return index >= 0 ? message[(index + 3)..] : message;
    }
}
