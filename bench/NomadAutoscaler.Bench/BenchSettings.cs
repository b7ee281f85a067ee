using System.Globalization;

namespace NomadAutoscaler.Bench;

/// <summary>Command-line settings. The defaults are the issue's: start-up median of 20, 5,000 sequential Query calls,
/// 16 concurrent callers.</summary>
internal sealed record BenchSettings
{
    public const string Usage = """
        usage: dotnet run -c Release --project bench/NomadAutoscaler.Bench -- [options]
          --quick              smaller run (5 start-ups, 1,000 calls); does not update docs/performance.md unless --write
          --startups N         start-up samples per row (default 20)
          --calls N            sequential Query calls for p50/p99, and total calls of the concurrent phase (default 5000)
          --concurrency N      concurrent callers in the throughput phase (default 16)
          --warmup N           calls before measuring with our host (default 500; the Go host's harness always makes 50)
          --jit-dir DIR        use a pre-built framework-dependent noop-apm (DIR/noop-apm and DIR/noop-apm.dll)
          --aot-dir DIR        use a pre-built Native AOT noop-apm (DIR/noop-apm)
          --go-bin DIR         use pre-built goplugin-host and goplugin-noop-apm from DIR
          --rebuild            publish noop-apm again even if artifacts/bench is up to date
          --write / --no-write update (or not) the "Plugin RPC" section of docs/performance.md
        """;

    public int Startups { get; init; } = 20;

    public int Calls { get; init; } = 5000;

    public int Concurrency { get; init; } = 16;

    public int Warmup { get; init; } = 500;

    public bool Quick { get; init; }

    public bool Rebuild { get; init; }

    public bool WriteDocs { get; init; } = true;

    public string? JitDir { get; init; }

    public string? AotDir { get; init; }

    public string? GoBinDir { get; init; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static BenchSettings Parse(IReadOnlyList<string> args)
    {
        var quick = args.Contains("--quick");
        var settings = quick ? new BenchSettings { Quick = true, Startups = 5, Calls = 1000, Warmup = 200, WriteDocs = false } : new BenchSettings();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string Value()
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"option {arg} needs a value");
                return args[++i];
            }

            int Count(int min)
            {
                var text = Value();
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min)
                    throw new ArgumentException($"option {arg}: expected a whole number >= {min}, got \"{text}\"");
                return n;
            }

            settings = arg switch
            {
                "--quick" => settings,
                "--startups" => settings with { Startups = Count(1) },
                "--calls" => settings with { Calls = Count(1) },
                "--concurrency" => settings with { Concurrency = Count(1) },
                "--warmup" => settings with { Warmup = Count(0) },
                "--jit-dir" => settings with { JitDir = Path.GetFullPath(Value()) },
                "--aot-dir" => settings with { AotDir = Path.GetFullPath(Value()) },
                "--go-bin" => settings with { GoBinDir = Path.GetFullPath(Value()) },
                "--rebuild" => settings with { Rebuild = true },
                "--write" => settings with { WriteDocs = true },
                "--no-write" => settings with { WriteDocs = false },
                _ => throw new ArgumentException($"unknown option \"{arg}\""),
            };
        }

        return settings;
    }
}
