using System.Runtime.Versioning;

// Instances run under bubblewrap and cgroups: these tests are for Linux only.
[assembly: SupportedOSPlatform("linux")]
