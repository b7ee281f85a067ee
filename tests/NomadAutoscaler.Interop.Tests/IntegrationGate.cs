using Xunit.Abstractions;

namespace NomadAutoscaler.Interop.Tests;

/// <summary>Decides whether an interop test can run: the executables it needs must exist. When they do not, the
/// test fails if REQUIRE_INTEGRATION=1 (CI) and otherwise returns early with a message saying how to build them.</summary>
internal static class IntegrationGate
{
    public static bool Required => Environment.GetEnvironmentVariable("REQUIRE_INTEGRATION") == "1";

    /// <returns>True when every executable exists and the test should run.</returns>
    public static bool HasExecutables(ITestOutputHelper output, params string[] paths)
    {
        var missing = GoInteropBinaries.Missing(paths);
        if (missing.Count == 0) return true;
        var message = $"interop executables missing: {string.Join(", ", missing)}. "
            + $"Build the Go side with {GoInteropBinaries.BuildScript} and our plugins with dotnet build.";
        if (Required) Assert.Fail(message + " (REQUIRE_INTEGRATION=1)");
        output.WriteLine("not run: " + message);
        return false;
    }
}
