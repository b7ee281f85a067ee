using NomadAutoscaler.Agent;
using NomadAutoscaler.Agent.Cli;

// First of all: once anything has started the runtime's signal handling, an inherited SIG_IGN can no longer be undone.
if (args is ["agent", ..]) InheritedSignals.Restore();

return await CommandLine.RunAsync(args);
