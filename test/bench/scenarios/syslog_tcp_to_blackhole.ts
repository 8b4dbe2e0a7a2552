import { scaled, type Scenario } from '../scenario';
import { measureTcpIngest } from './tcp_to_blackhole';

/**
 * Syslog over TCP, parsed: 4 sender processes × ~205-byte RFC 5424 messages (structured
 * data included) with octet counting → `syslog` source (framing detected, every header
 * field and SD parameter parsed) → blackhole.
 */
export const scenario: Scenario = {
  name: 'syslog_tcp_to_blackhole',
  description: 'syslog source (tcp, octet counting detected, RFC 5424 parsed), 4 forked senders of 205-byte frames → blackhole',
  bytesBasis: 'frame bytes (octet count included)',
  run: () => measureTcpIngest('syslog_tcp_to_blackhole', { type: 'syslog', mode: 'tcp' }, 'rfc5424', scaled(1_000_000)),
};
