using Fleet.Testing;

// The PostgreSQL container, when TestServers started one, goes once the last test has run.
[assembly: AssemblyFixture(typeof(TestServersCleanup))]
