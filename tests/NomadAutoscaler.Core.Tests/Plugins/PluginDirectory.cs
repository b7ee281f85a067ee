namespace NomadAutoscaler.Core.Tests.Plugins;

/// <summary>A throwaway plugin_dir. Plugins are added as tiny exec wrappers, so one directory can hold plugins from
/// several build folders under any name while the launched PID is still the plugin's own.</summary>
internal sealed class PluginDirectory : IDisposable
{
    public PluginDirectory() => Path = Directory.CreateTempSubdirectory("na-plugins-test-").FullName;

    public string Path { get; }

    /// <summary>Adds <paramref name="name"/> that execs <paramref name="target"/>, optionally with extra environment.</summary>
    public string AddWrapper(string name, string target, string environment = "")
    {
        var path = System.IO.Path.Combine(Path, name);
        File.WriteAllText(path, $"#!/bin/sh\n{environment}exec '{target}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    /// <summary>Adds a noop test plugin (noop-apm, noop-strategy, noop-target) under <paramref name="name"/> (default: its id).</summary>
    public string AddNoop(string id, string? name = null, string environment = "")
        => AddWrapper(name ?? id, System.IO.Path.Combine(TestPaths.PluginBuildDir(id), id), environment);

    /// <summary>Adds a fake plugin script from tests/TestPlugins/fake-plugins, made executable here in case git lost the mode.</summary>
    public string AddFake(string script)
    {
        var path = System.IO.Path.Combine(Path, script);
        File.Copy(System.IO.Path.Combine(TestPaths.FakePlugins, script), path);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
