// Jest 30 ignores `testTimeout` inside a project; integration tests talk to real servers.
jest.setTimeout(120_000);
