using Microsoft.Extensions.Logging.Abstractions;
using NomadAutoscaler.Core.Plugins;
using NomadAutoscaler.Plugins.Sdk;

namespace NomadAutoscaler.Core.Tests.Plugins;

/// <summary>Every way a plugin can fail to start, each with a real process and its own message naming the plugin and path.</summary>
public class ExternalPluginLaunchFailureTests
{
    private static async Task<PluginLaunchException> LaunchFailsAsync(PluginDirectory dir, PluginBlock block, TimeSpan? startTimeout = null)
    {
        await using var manager = new PluginManager(
            new PluginHostOptions { PluginDir = dir.Path, StartTimeout = startTimeout ?? TimeSpan.FromSeconds(20) }, NullLoggerFactory.Instance);
        var ex = await Assert.ThrowsAsync<PluginLaunchException>(() => manager.StartAsync([block], CancellationToken.None));
        Assert.Equal(block.Name, ex.PluginName);
        Assert.Equal(block.Kind, ex.Kind);
        Assert.Equal(System.IO.Path.Combine(dir.Path, block.Driver.EndsWith(".exe", StringComparison.Ordinal) ? block.Driver[..^4] : block.Driver), ex.PluginPath);
        Assert.Contains($"\"{block.Name}\" ({ex.PluginPath})", ex.Message, StringComparison.Ordinal);
        Assert.False(manager.Contains(block.Kind, block.Name));
        return ex;
    }

    private static PluginBlock Block(string driver, PluginKind kind = PluginKind.Apm, string? name = null, params string[] args)
        => new(kind, name ?? driver, driver, args, new Dictionary<string, string>());

    [Fact]
    public async Task Missing_binary()
    {
        using var dir = new PluginDirectory();
        var ex = await LaunchFailsAsync(dir, Block("os-nova", PluginKind.Target));
        Assert.EndsWith("no such file or directory", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("failed to launch target plugin \"os-nova\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trailing_exe_is_stripped_from_the_driver()
    {
        using var dir = new PluginDirectory();
        var ex = await LaunchFailsAsync(dir, Block("os-nova.exe", PluginKind.Target));
        Assert.Contains($"{System.IO.Path.Combine(dir.Path, "os-nova")}: no such file", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Not_executable()
    {
        using var dir = new PluginDirectory();
        var path = System.IO.Path.Combine(dir.Path, "plain-file");
        await File.WriteAllTextAsync(path, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var ex = await LaunchFailsAsync(dir, Block("plain-file"));
        Assert.Contains("permission denied (the file is not executable", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_directory_is_not_a_plugin()
    {
        using var dir = new PluginDirectory();
        Directory.CreateDirectory(System.IO.Path.Combine(dir.Path, "folder"));
        var ex = await LaunchFailsAsync(dir, Block("folder"));
        Assert.Contains("is a directory", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_program_that_is_not_a_plugin_prints_something_else()
    {
        using var dir = new PluginDirectory();
        dir.AddFake("not-a-plugin");
        var ex = await LaunchFailsAsync(dir, Block("not-a-plugin"));
        Assert.Contains("invalid handshake line: unrecognized remote plugin message: \"Usage: not-a-plugin [options]\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exit_before_handshake_reports_exit_code_and_last_stderr_line_and_passes_env_and_args()
    {
        using var dir = new PluginDirectory();
        dir.AddFake("exits-early");
        var ex = await LaunchFailsAsync(dir, Block("exits-early", PluginKind.Strategy, "early", "-flag=1", "two words"));
        Assert.Contains("plugin exited before we could connect: exit code 3", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith(
            "last stderr line: cookie=e082fa04d587a6525d683666fa253d6afda00f20c122c54a80a3ed57fec99ff3 versions=1 ports=10000-25000 socketdir=set args=-flag=1 two words",
            ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("malformed-handshake", "unrecognized remote plugin message: \"1|1\"")]
    [InlineData("bad-core-version", "incompatible core API version with plugin: plugin announced \"2\", agent supports 1")]
    [InlineData("bad-app-version", "incompatible API version with plugin: plugin version 7, agent versions 1")]
    [InlineData("netrpc-protocol", "unsupported plugin protocol \"netrpc\"; supported: [grpc]")]
    [InlineData("bad-network", "unsupported network \"udp\"")]
    public async Task Broken_handshakes_are_rejected_and_the_plugin_is_killed(string script, string expected)
    {
        using var dir = new PluginDirectory();
        dir.AddFake(script);
        var ex = await LaunchFailsAsync(dir, Block(script));
        Assert.Contains("invalid handshake line: " + expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handshake_timeout()
    {
        using var dir = new PluginDirectory();
        dir.AddFake("never-handshakes");
        var started = DateTime.UtcNow;
        var ex = await LaunchFailsAsync(dir, Block("never-handshakes"), TimeSpan.FromSeconds(1));
        Assert.Contains("timeout while waiting for plugin to start: no handshake line within 1s; last stderr line: thinking...", ex.Message, StringComparison.Ordinal);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task Handshake_for_a_socket_nobody_serves()
    {
        using var dir = new PluginDirectory();
        dir.AddFake("no-server");
        var ex = await LaunchFailsAsync(dir, Block("no-server"));
        Assert.Contains("PluginInfo call failed: Unavailable", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_plugin_type()
    {
        using var dir = new PluginDirectory();
        dir.AddNoop("noop-apm");
        var ex = await LaunchFailsAsync(dir, Block("noop-apm", PluginKind.Target, "my-target"));
        Assert.Contains("plugin my-target remote info doesn't match local config: the plugin is of type apm, but the block is target", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Name_mismatch_when_the_binary_was_renamed()
    {
        using var dir = new PluginDirectory();
        dir.AddNoop("noop-apm", "renamed-apm");
        var ex = await LaunchFailsAsync(dir, Block("renamed-apm"));
        Assert.Contains("the plugin reports name \"noop-apm\", expected the driver name \"renamed-apm\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_bad_block_fails_start_and_stops_the_plugins_that_did_start()
    {
        using var dir = new PluginDirectory();
        dir.AddNoop("noop-strategy");
        await using var manager = new PluginManager(new PluginHostOptions { PluginDir = dir.Path, StartTimeout = TimeSpan.FromSeconds(20) }, NullLoggerFactory.Instance);
        var ex = await Assert.ThrowsAsync<PluginLaunchException>(() => manager.StartAsync(
            [Block("noop-strategy", PluginKind.Strategy), Block("missing", PluginKind.Apm)], CancellationToken.None));
        Assert.Equal("missing", ex.PluginName);
        Assert.False(manager.Contains(PluginKind.Strategy, "noop-strategy"));
        Assert.Throws<PluginException>(() => manager.GetStrategy("noop-strategy"));
    }
}

/// <summary>A stop (the agent's shutdown token) while a launch waits for the plugin is a cancellation, not a broken
/// plugin: the agent then exits 0 instead of reporting a launch failure.</summary>
public class ExternalPluginLaunchCancellationTests
{
    [Fact]
    public async Task Cancelling_while_PluginInfo_is_unanswered_is_a_cancellation()
    {
        using var dir = new PluginDirectory();
        var socketPath = System.IO.Path.Combine(dir.Path, "silent.sock");
        // Accepts the host's connection and never says a word, so PluginInfo waits until it is cancelled.
        using var silent = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        silent.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socketPath));
        silent.Listen();
        var script = System.IO.Path.Combine(dir.Path, "silent-plugin");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\necho \"1|1|unix|{socketPath}|grpc|\"\nexec sleep 3600\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await using var manager = new PluginManager(
            new PluginHostOptions { PluginDir = dir.Path, StartTimeout = TimeSpan.FromSeconds(60) }, NullLoggerFactory.Instance);
        using var stop = new CancellationTokenSource();
        var start = manager.StartAsync([new PluginBlock(PluginKind.Apm, "silent-plugin", "silent-plugin", [], new Dictionary<string, string>())], stop.Token);
        using var accepted = await silent.AcceptAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(stop.Token, ex.CancellationToken);
    }
}
