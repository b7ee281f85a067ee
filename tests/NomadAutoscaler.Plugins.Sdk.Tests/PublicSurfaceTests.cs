using System.Reflection;
using NomadAutoscaler.Nomad;
using NomadAutoscaler.Nomad.Cluster;
using NomadAutoscaler.Plugins.Sdk.Testing;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

/// <summary>What the packages promise on their public surface, beyond the PublicAPI.*.txt baselines (which catch any
/// change but not what a change means): the generated wire types stay an implementation detail, so the proto can
/// evolve without a breaking SDK release, and the Nomad client and cluster helpers are their own package
/// (NomadAutoscaler.Nomad), so a plugin that never talks to Nomad does not carry them.</summary>
public sealed class PublicSurfaceTests
{
    // Types from these assemblies in a public signature would make the SDK's C# API follow the generated code.
    private static readonly string[] HiddenAssemblies = ["NomadAutoscaler.Plugins.Contracts", "Google.Protobuf", "Grpc.Core.Api", "Grpc.Net.Client", "Grpc.HealthCheck", "Google.Api.CommonProtos"];

    public static TheoryData<string> PackagedAssemblies => new() { typeof(PluginHost).Assembly.GetName().Name!, typeof(PluginConformance).Assembly.GetName().Name!, typeof(NomadClient).Assembly.GetName().Name! };

    [Theory]
    [MemberData(nameof(PackagedAssemblies))]
    public void No_generated_or_grpc_type_appears_in_a_public_signature(string assemblyName)
    {
        var leaks = LeaksIn(Assembly.Load(assemblyName));
        Assert.True(leaks.Count == 0, "public signatures exposing wire/gRPC types:\n" + string.Join('\n', leaks));
    }

    [Fact]
    public void The_leak_check_finds_a_generated_type_in_a_signature()
    {
        // Proves the check can fail: this test assembly exposes a Contracts type on purpose (LeakExample below).
        var leaks = LeaksIn(typeof(PublicSurfaceTests).Assembly);
        Assert.Contains(leaks, l => l.Contains(nameof(LeakExample), StringComparison.Ordinal));
    }

    [Fact]
    public void Nomad_client_and_cluster_scale_helpers_are_public_in_their_own_package()
    {
        foreach (var type in new[] { typeof(NomadClient), typeof(NomadClientOptions), typeof(ClusterScaleIn), typeof(NodeSelector), typeof(NodePoolFilter) })
        {
            Assert.Equal("NomadAutoscaler.Nomad", type.Assembly.GetName().Name);
            Assert.True(type.IsPublic, $"{type} is not public");
        }
    }

    [Fact]
    public void The_plugin_sdk_does_not_depend_on_the_nomad_package()
    {
        // The dependency runs one way (the Nomad package uses the SDK's hclog, Go parsers and config exceptions), so a
        // basic plugin restores the SDK alone.
        Assert.DoesNotContain(typeof(PluginHost).Assembly.GetReferencedAssemblies(), a => a.Name == "NomadAutoscaler.Nomad");
        Assert.DoesNotContain(typeof(PluginConformance).Assembly.GetReferencedAssemblies(), a => a.Name == "NomadAutoscaler.Nomad");
    }

    [Fact]
    public void Every_exported_type_lives_under_its_package_namespace()
    {
        var outside = Outside(typeof(PluginHost).Assembly, "NomadAutoscaler.Plugins.Sdk")
            .Concat(Outside(typeof(PluginConformance).Assembly, "NomadAutoscaler.Plugins.Sdk"))
            .Concat(Outside(typeof(NomadClient).Assembly, "NomadAutoscaler.Nomad"))
            .ToList();
        Assert.Empty(outside);

        static IEnumerable<string?> Outside(Assembly assembly, string root) => assembly.GetExportedTypes()
            .Where(t => t.Namespace is null || !(t.Namespace == root || t.Namespace.StartsWith(root + ".", StringComparison.Ordinal)) || t.Namespace.Contains(".Internal", StringComparison.Ordinal))
            .Select(t => t.FullName);
    }

    private static List<string> LeaksIn(Assembly assembly)
    {
        var leaks = new List<string>();
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in assembly.GetExportedTypes())
        {
            Check(type.BaseType, $"{type} base type");
            foreach (var iface in type.GetInterfaces()) Check(iface, $"{type} implements");
            foreach (var member in type.GetMembers(all))
            {
                switch (member)
                {
                    case FieldInfo f when f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly:
                        Check(f.FieldType, $"{type}.{f.Name}");
                        break;
                    case PropertyInfo p when p.GetAccessors(nonPublic: true).Any(Visible):
                        Check(p.PropertyType, $"{type}.{p.Name}");
                        break;
                    case EventInfo e when e.AddMethod is { } add && Visible(add):
                        Check(e.EventHandlerType, $"{type}.{e.Name}");
                        break;
                    case MethodBase m when Visible(m):
                        if (m is MethodInfo mi) Check(mi.ReturnType, $"{type}.{m.Name} return");
                        foreach (var p in m.GetParameters()) Check(p.ParameterType, $"{type}.{m.Name}({p.Name})");
                        break;
                }
            }
        }

        return leaks;

        static bool Visible(MethodBase m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

        void Check(Type? t, string where)
        {
            if (t is null) return;
            if (t.HasElementType) { Check(t.GetElementType(), where); return; }
            if (t.IsGenericType && !t.IsGenericTypeDefinition) foreach (var arg in t.GetGenericArguments()) Check(arg, where);
            if (t.IsGenericParameter) return;
            var name = t.Assembly.GetName().Name;
            if (HiddenAssemblies.Contains(name)) leaks.Add($"{where}: {t.FullName ?? t.Name} ({name})");
        }
    }
}

/// <summary>Deliberately exposes a generated wire type, for <see cref="PublicSurfaceTests"/> to detect.</summary>
public static class LeakExample
{
    /// <summary>Returns a generated message.</summary>
    public static NomadAutoscaler.Plugins.Contracts.Base.V1.PluginInfoRequest Create() => new();
}
