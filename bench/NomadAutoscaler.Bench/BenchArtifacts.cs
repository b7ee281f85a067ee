using System.Diagnostics;

namespace NomadAutoscaler.Bench;

/// <summary>Finds or builds what the benchmark runs: noop-apm published framework-dependent (JIT) and as Native AOT into
/// artifacts/bench/, and the Go harness (goplugin-host, goplugin-noop-apm) in artifacts/interop/bin/.</summary>
internal sealed class BenchArtifacts
{
    public const string NoopApm = "noop-apm";
    public const string GoHost = "goplugin-host";
    public const string GoNoopApm = "goplugin-noop-apm";

    private BenchArtifacts(string repoRoot, string jitDir, string aotDir, string? aotSpeedDir, string? goBinDir, string? goProblem)
    {
        AotSpeedDir = aotSpeedDir;
        RepoRoot = repoRoot;
        JitDir = jitDir;
        AotDir = aotDir;
        GoBinDir = goBinDir;
        GoProblem = goProblem;
    }

    public string RepoRoot { get; }

    /// <summary>Holds <c>noop-apm</c> (apphost) and <c>noop-apm.dll</c>: the external JIT plugin and the in-process assembly.</summary>
    public string JitDir { get; }

    public string AotDir { get; }

    /// <summary>A candidate flavour, not shipped: Native AOT with the compiler's default (speed) tuning and the
    /// background GC thread.</summary>
    public string? AotSpeedDir { get; }

    /// <summary>Null when the Go harness could not be found or built; <see cref="GoProblem"/> says why.</summary>
    public string? GoBinDir { get; }

    public string? GoProblem { get; }

    public string? GoVersions => GoBinDir is null ? null : ReadOrNull(Path.Combine(GoBinDir, "VERSIONS"));

    public static async Task<BenchArtifacts> PrepareAsync(BenchSettings settings, TextWriter log, CancellationToken cancellationToken)
    {
        var root = FindRepoRoot();
        var benchDir = Path.Combine(root, "artifacts", "bench");
        var logDir = Directory.CreateDirectory(Path.Combine(benchDir, "logs")).FullName;
        var project = Path.Combine(root, "tests", "TestPlugins", NoopApm, NoopApm + ".csproj");

        var jitDir = settings.JitDir ?? Path.Combine(benchDir, "jit");
        if (settings.JitDir is null && (settings.Rebuild || IsStale(root, Path.Combine(jitDir, NoopApm + ".dll"))))
        {
            // Framework-dependent, not ReadyToRun: the same code `dotnet build` produces, i.e. JIT at run time.
            await PublishAsync(log, logDir, "jit", cancellationToken,
                "publish", project, "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-o", jitDir, "-nodeReuse:false").ConfigureAwait(false);
        }

        RequireFile(Path.Combine(jitDir, NoopApm), "--jit-dir");
        RequireFile(Path.Combine(jitDir, NoopApm + ".dll"), "--jit-dir");

        var aotDir = settings.AotDir ?? Path.Combine(benchDir, "aot-shipped");
        if (settings.AotDir is null && (settings.Rebuild || IsStale(root, Path.Combine(aotDir, NoopApm))))
        {
            // The same switches as build.cake's Publish target uses for the plugins it ships.
            await PublishAsync(log, logDir, "aot-shipped", cancellationToken,
                "publish", project, "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-p:StripSymbols=true",
                "-p:OptimizationPreference=Size", "-p:ConcurrentGarbageCollection=false", "-o", aotDir, "-nodeReuse:false").ConfigureAwait(false);
        }

        RequireFile(Path.Combine(aotDir, NoopApm), "--aot-dir");

        string? aotSpeedDir = null;
        if (settings.AotDir is null)
        {
            aotSpeedDir = Path.Combine(benchDir, "aot-speed");
            if (settings.Rebuild || IsStale(root, Path.Combine(aotSpeedDir, NoopApm)))
            {
                await PublishAsync(log, logDir, "aot-speed", cancellationToken,
                    "publish", project, "-c", "Release", "-r", "linux-x64", "-p:PublishAot=true", "-p:StripSymbols=true",
                    "-o", aotSpeedDir, "-nodeReuse:false").ConfigureAwait(false);
            }
        }

        var (goBin, goProblem) = await FindGoHarnessAsync(settings, root, log, logDir, cancellationToken).ConfigureAwait(false);
        return new BenchArtifacts(root, jitDir, aotDir, aotSpeedDir, goBin, goProblem);
    }

    private static async Task<(string? Dir, string? Problem)> FindGoHarnessAsync(BenchSettings settings, string root, TextWriter log, string logDir,
        CancellationToken cancellationToken)
    {
        if (settings.GoBinDir is not null)
        {
            RequireFile(Path.Combine(settings.GoBinDir, GoHost), "--go-bin");
            RequireFile(Path.Combine(settings.GoBinDir, GoNoopApm), "--go-bin");
            return (settings.GoBinDir, null);
        }

        var binDir = Path.Combine(root, "artifacts", "interop", "bin");
        var sources = Path.Combine(root, "tests", "interop", "go");
        var built = new[] { GoHost, GoNoopApm }.Select(n => Path.Combine(binDir, n)).ToList();
        var newestSource = Directory.EnumerateFiles(sources, "*", SearchOption.AllDirectories).Select(File.GetLastWriteTimeUtc).DefaultIfEmpty().Max();
        if (built.All(File.Exists) && built.Min(File.GetLastWriteTimeUtc) >= newestSource) return (binDir, null);

        log.WriteLine("building the Go harness (tests/interop/go/build.sh; first run ~5 min on 2 cores)...");
        var (exitCode, output) = await RunAsync("bash", [Path.Combine(sources, "build.sh")], root, cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(logDir, "go-build.log"), output, cancellationToken).ConfigureAwait(false);
        if (exitCode == 0 && built.All(File.Exists)) return (binDir, null);
        return (null, $"tests/interop/go/build.sh failed with exit code {exitCode} (log: artifacts/bench/logs/go-build.log)");
    }

    /// <summary>True when the output is missing or older than any source that goes into noop-apm (SDK, contracts, build props).</summary>
    private static bool IsStale(string root, string output)
    {
        if (!File.Exists(output)) return true;
        var built = File.GetLastWriteTimeUtc(output);
        string[] dirs = ["sdk", "proto", Path.Combine("tests", "TestPlugins", NoopApm)];
        string[] files = ["Directory.Build.props", "Directory.Packages.props", Path.Combine("tests", "Directory.Build.props")];
        var inputs = dirs.Select(d => Path.Combine(root, d)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal)
                || f.EndsWith(".props", StringComparison.Ordinal) || f.EndsWith(".proto", StringComparison.Ordinal))
            .Concat(files.Select(f => Path.Combine(root, f)).Where(File.Exists));
        return inputs.Any(f => File.GetLastWriteTimeUtc(f) > built);
    }

    private static async Task PublishAsync(TextWriter log, string logDir, string flavour, CancellationToken cancellationToken, params string[] args)
    {
        log.WriteLine($"publishing noop-apm ({flavour}) ...");
        var started = Stopwatch.GetTimestamp();
        var (exitCode, output) = await RunAsync("dotnet", args, null, cancellationToken).ConfigureAwait(false);
        var logFile = Path.Combine(logDir, $"publish-{flavour}.log");
        await File.WriteAllTextAsync(logFile, output, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', args)} failed with exit code {exitCode}; see {logFile}");
        log.WriteLine($"  done in {Stopwatch.GetElapsedTime(started).TotalSeconds:F0} s");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IEnumerable<string> args, string? workingDirectory,
        CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args) startInfo.ArgumentList.Add(arg);
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false));
    }

    private static void RequireFile(string path, string option)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path} does not exist (check {option})", path);
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "build.cake")) && Directory.Exists(Path.Combine(dir.FullName, "tests", "TestPlugins")))
                    return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (a folder with build.cake and tests/TestPlugins) above the current directory");
    }

    private static string? ReadOrNull(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;
}
