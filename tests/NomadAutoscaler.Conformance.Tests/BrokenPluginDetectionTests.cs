using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Testing;
using Xunit.Abstractions;

namespace NomadAutoscaler.Conformance.Tests;

/// <summary>Proves the kit catches broken plugins: tiny shell scripts that break one rule each.</summary>
public sealed class BrokenPluginDetectionTests(ITestOutputHelper output) : IDisposable
{
    private const string CookieGuard = """
        if [ "$NOMAD_AUTOSCALER_PLUGIN_MAGIC_COOKIE" != "e082fa04d587a6525d683666fa253d6afda00f20c122c54a80a3ed57fec99ff3" ]; then
          echo "not started by the agent" >&2
          exit 1
        fi
        """;

    private static readonly ConformanceOptions Options = new() { HandshakeTimeout = TimeSpan.FromSeconds(15) };

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("conformance-broken-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task RunAsync_JunkBeforeHandshake_FailsHandshakeFormat()
    {
        var script = WriteScript("junk-plugin", CookieGuard + "\necho 'starting up...'\necho '1|1|unix|/tmp/none|grpc|'\nexec sleep 60\n");

        var report = await RunAsync(script);

        AssertFailed(report, "handshake.format", "fields");
        Assert.True(report["cookie.missing"]?.Passed);
    }

    [Fact]
    public async Task RunAsync_MalformedHandshake_FailsHandshakeFormat()
    {
        var script = WriteScript("malformed-plugin", CookieGuard + "\necho '1|1|unix'\nexec sleep 60\n");

        var report = await RunAsync(script);

        AssertFailed(report, "handshake.format", "at least 4");
    }

    [Fact]
    public async Task RunAsync_WrongProtocolField_FailsHandshakeFormat()
    {
        var script = WriteScript("netrpc-plugin", CookieGuard + "\necho '1|1|unix|/tmp/none|netrpc|'\nexec sleep 60\n");

        var report = await RunAsync(script);

        AssertFailed(report, "handshake.format", "want grpc");
    }

    [Fact]
    public async Task RunAsync_NoCookieCheck_FailsCookieChecks()
    {
        var script = WriteScript("cookieless-plugin", "echo '1|1|unix|/tmp/none|grpc|'\nexit 0\n");

        var report = await RunAsync(script);

        AssertFailed(report, "cookie.missing", "exit code 0, want 1");
        AssertFailed(report, "cookie.wrong", "stdout must stay empty");
    }

    [Fact]
    public async Task RunAsync_NeverPrintsHandshake_FailsWithStderrInMessage()
    {
        var script = WriteScript("silent-plugin", CookieGuard + "\necho 'cannot bind' >&2\nexit 3\n");

        var report = await RunAsync(script);

        AssertFailed(report, "handshake.format", "cannot bind");
    }

    private async Task<ConformanceReport> RunAsync(string script)
    {
        var report = await PluginConformance.RunAsync(script, PluginKind.Target, new Dictionary<string, string>(), Options, CancellationToken.None);
        output.WriteLine(report.ToString());
        return report;
    }

    private static void AssertFailed(ConformanceReport report, string checkName, string messagePart)
    {
        var check = report[checkName];
        Assert.NotNull(check);
        Assert.False(check.Passed, $"{checkName} should have failed: {check.Message}");
        Assert.Contains(messagePart, check.Message, StringComparison.Ordinal);
        Assert.False(report.Passed);
    }

    private string WriteScript(string name, string body)
    {
        var path = Path.Combine(_directory.FullName, name);
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
