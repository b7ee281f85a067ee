using System.Runtime.CompilerServices;

// CLI tests drive the parser, help, version and validate command directly, without starting an agent.
[assembly: InternalsVisibleTo("NomadAutoscaler.Agent.Tests")]
