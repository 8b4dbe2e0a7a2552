/**
 * Jest setup for every project (jest.config.ts `setupFiles`): environment for a quiet log.
 *
 * The AWS SDK warns once per process that its releases after January 2027 need Node 22;
 * sluice supports Node 20 (`engines`), the lock file pins an SDK that runs on it, and the
 * warning says nothing about the code under test. Runs outside jest still show it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
