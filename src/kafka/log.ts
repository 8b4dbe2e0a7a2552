import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '../observability/logger';

/**
 * kafkajs's log lines into sluice's own logger, never the console. Levels are lowered one
 * step: kafkajs logs every failed attempt of a request it retries as ERROR and every
 * connection as INFO, while the sink already reports what matters (a failed send is counted,
 * classified and marks the sink down). So a kafkajs ERROR is a sluice `warn`, WARN stays
 * `warn`, INFO is `debug` and DEBUG is `trace`: `--log-level debug` shows the client's story.
 */
export function kafkaLogCreator(logger: Logger): logCreator {
  const client = logger.child({ client: 'kafkajs' });
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      const context = { namespace, ...fields };
      switch (level) {
        case logLevel.ERROR:
        case logLevel.WARN:
          client.warn(context, message);
          break;
        case logLevel.INFO:
          client.debug(context, message);
          break;
        default:
          client.trace(context, message);
      }
    };
}

/** The kafkajs level that lets through what the logger would print (fewer calls when quiet). */
export function kafkaLogLevel(logger: Logger): logLevel {
  if (logger.isLevelEnabled('trace')) return logLevel.DEBUG;
  if (logger.isLevelEnabled('debug')) return logLevel.INFO;
  if (logger.isLevelEnabled('warn')) return logLevel.WARN;
  return logLevel.NOTHING;
}
