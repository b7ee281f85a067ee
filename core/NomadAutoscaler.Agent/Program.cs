using NomadAutoscaler.Agent.Cli;

return await CommandLine.RunAsync(args);
