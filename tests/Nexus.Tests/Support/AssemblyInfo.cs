using System.Runtime.Versioning;

// Nexus runs on Linux (embedded PostgreSQL, Unix file modes); so do its tests.
[assembly: SupportedOSPlatform("linux")]
