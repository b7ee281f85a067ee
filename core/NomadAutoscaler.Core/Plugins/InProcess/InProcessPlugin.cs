using System.Reflection;
using Grpc.Core;
using McMaster.NETCore.Plugins;
using Microsoft.Extensions.Logging;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Internal;

namespace NomadAutoscaler.Core.Plugins.InProcess;

/// <summary>A .NET SDK plugin loaded into the agent in its own load context (McMaster.NETCore.Plugins).
/// Layout: <c>&lt;plugin_dir&gt;/&lt;driver&gt;/&lt;driver&gt;.dll</c> (a folder holding the plugin's framework-dependent
/// build output with its .deps.json), or else <c>&lt;plugin_dir&gt;/&lt;driver&gt;.dll</c> (the dll next to the executable of
/// the same build). The SDK, the contracts, gRPC, protobuf and logging abstractions are shared with the agent, so the
/// SDK types cross the boundary unchanged.</summary>
internal sealed class InProcessPlugin : IAsyncDisposable
{
    private static readonly Type[] SharedTypes =
    [
        typeof(IPlugin),
        typeof(NomadAutoscaler.Plugins.Contracts.Base.V1.PluginInfoRequest),
        typeof(Status),
        typeof(Google.Protobuf.IMessage),
        typeof(ILogger),
        typeof(Microsoft.Extensions.DependencyInjection.IServiceCollection),
    ];

    private readonly PluginLoader? _loader;

    private InProcessPlugin(PluginBlock block, string path, PluginLoader? loader, IInProcessPlugin plugin)
    {
        Block = block;
        AssemblyPath = path;
        _loader = loader;
        Plugin = plugin;
    }

    public PluginBlock Block { get; private set; }

    public string AssemblyPath { get; }

    public IInProcessPlugin Plugin { get; }

    public static string? ResolveAssemblyPath(string pluginDir, string driver)
    {
        var name = driver.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? driver[..^4] : driver;
        string[] candidates =
        [
            Path.Combine(pluginDir, name, name + ".dll"),
            Path.Combine(pluginDir, name + ".dll"),
        ];
        return candidates.Select(Path.GetFullPath).FirstOrDefault(File.Exists);
    }

    public static async Task<InProcessPlugin> LoadAsync(PluginBlock block, PluginHostOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var kindName = External.ExternalPluginLauncher.KindName(block.Kind);
        var path = ResolveAssemblyPath(options.PluginDir, block.Driver);
        var shownPath = path ?? Path.GetFullPath(Path.Combine(options.PluginDir, block.Driver, block.Driver + ".dll"));
        PluginLaunchException Fail(string problem, Exception? inner = null)
            => new(block.Name, block.Kind, shownPath, $"failed to load in-process {kindName} plugin \"{block.Name}\" ({shownPath}): {problem}", inner);

        if (path is null)
            throw Fail($"no such file; in-process plugins are loaded from <plugin_dir>/{block.Driver}/{block.Driver}.dll or <plugin_dir>/{block.Driver}.dll");

        PluginLoader loader;
        Type pluginType;
        try
        {
            loader = PluginLoader.CreateFromAssemblyFile(path, SharedTypes, config =>
            {
                config.PreferSharedTypes = true;
                config.IsUnloadable = true;
            });
            pluginType = FindPluginType(loader.LoadDefaultAssembly())
                ?? throw Fail("the assembly has no public class with [Plugin] that implements IApmPlugin<T>, IStrategyPlugin<T> or ITargetPlugin<T>");
        }
        catch (PluginLaunchException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw Fail(ex.Message, ex);
        }

        try
        {
            IInProcessPlugin plugin;
            try
            {
                plugin = InProcessPluginFactory.Create(pluginType, new NamedLoggerFactory(loggerFactory, "internal_plugin." + block.Driver), options.TimeProvider);
            }
            catch (Exception ex)
            {
                throw Fail($"could not create {pluginType.FullName}: {ex.Message}", ex);
            }

            if (plugin.Kind != block.Kind)
                throw Fail($"plugin {block.Name} remote info doesn't match local config: the plugin is of type {External.ExternalPluginLauncher.KindName(plugin.Kind)}, but the block is {kindName}");
            if (plugin.Name != block.Driver)
                throw Fail($"plugin {block.Name} remote info doesn't match local config: the plugin reports name \"{plugin.Name}\", expected the driver name \"{block.Driver}\"");

            var loaded = new InProcessPlugin(block, path, loader, plugin);
            await loaded.SetConfigAsync(block, cancellationToken).ConfigureAwait(false);
            return loaded;
        }
        catch
        {
            loader.Dispose();
            throw;
        }
    }

    /// <summary>Wraps a plugin object the caller built itself (the scaling lab constructs plugins with its own
    /// clock and in-memory Nomad client) and configures it from <paramref name="block"/>, as a loaded one would be.</summary>
    public static async Task<InProcessPlugin> AttachAsync(PluginBlock block, IPlugin instance, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instance);
        // No file backs an attached plugin (and Assembly.Location is empty in a single-file agent), so the type names it.
        var attached = new InProcessPlugin(block, "in-process:" + instance.GetType().FullName, null, instance.CreateAdapter());
        await attached.SetConfigAsync(block, cancellationToken).ConfigureAwait(false);
        return attached;
    }

    public async Task SetConfigAsync(PluginBlock block, CancellationToken cancellationToken)
    {
        Block = block;
        await InProcessCall.InvokeAsync(block.Name, block.Kind, "SetConfig", null, false,
            async ct =>
            {
                await Plugin.SetConfigAsync(block.Config, ct).ConfigureAwait(false);
                return true;
            }, cancellationToken).ConfigureAwait(false);
    }

    private static Type? FindPluginType(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = [.. ex.Types.OfType<Type>()];
        }

        return types.FirstOrDefault(t => t is { IsClass: true, IsAbstract: false }
            && t.GetCustomAttribute<PluginAttribute>(inherit: false) is not null
            && typeof(IPlugin).IsAssignableFrom(t));
    }

    public ValueTask DisposeAsync()
    {
        if (Plugin.Instance is IAsyncDisposable asyncDisposable) return DisposeBothAsync(asyncDisposable);
        (Plugin.Instance as IDisposable)?.Dispose();
        _loader?.Dispose();
        return ValueTask.CompletedTask;
    }

    private async ValueTask DisposeBothAsync(IAsyncDisposable instance)
    {
        await instance.DisposeAsync().ConfigureAwait(false);
        _loader?.Dispose();
    }
}
