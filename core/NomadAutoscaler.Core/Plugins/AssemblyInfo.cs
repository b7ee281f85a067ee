using System.Runtime.CompilerServices;

// The orphan test's agent stand-in (tests/TestPlugins/fake-plugins/orphan-host) drives PluginManager directly.
[assembly: InternalsVisibleTo("plugin-orphan-host")]
