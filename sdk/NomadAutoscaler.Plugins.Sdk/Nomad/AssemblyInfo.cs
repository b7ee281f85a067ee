using System.Runtime.CompilerServices;

// The Nomad client and cluster helpers are tested by their own project; the SDK csproj belongs to the hosting work.
[assembly: InternalsVisibleTo("NomadAutoscaler.Plugins.Nomad.Tests")]
