using System.Runtime.Versioning;

// Nexus runs on Linux (embedded PostgreSQL, Debian's Chromium); so do its tests.
[assembly: SupportedOSPlatform("linux")]
