using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Plugins.Sdk;

// Usage: plugin-orphan-host <plugin_dir> <apm|strategy|target> <driver>
if (args.Length != 3)
{
    await Console.Error.WriteLineAsync("usage: plugin-orphan-host <plugin_dir> <apm|strategy|target> <driver>");
    return 2;
}

var kind = args[1] switch
{
    "apm" => PluginKind.Apm,
    "strategy" => PluginKind.Strategy,
    _ => PluginKind.Target,
};
var manager = new PluginManager(new PluginHostOptions { PluginDir = args[0], StartTimeout = TimeSpan.FromSeconds(30) }, NullLoggerFactory.Instance);
await manager.StartAsync([new PluginBlock(kind, args[2], args[2], [], new Dictionary<string, string>())], CancellationToken.None);
Console.WriteLine($"PID {manager.GetProcessId(kind, args[2])}");
// A SIGKILLed agent cannot remove its socket directory; the test does.
Console.WriteLine($"DIR {manager.SocketDirectory}");
Console.Out.Flush();
// Stay alive on a blocked thread until the test SIGKILLs us; the manager is deliberately never disposed.
await Task.Delay(Timeout.Infinite);
return 0;
