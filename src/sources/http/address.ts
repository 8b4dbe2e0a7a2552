/** `host:port` split; IPv6 hosts in brackets (`[::1]:8080`). */
export function parseAddress(address: string): { host: string; port: number } | { error: string } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address.trim());
  const port = match ? Number(match[3]) : Number.NaN;
  if (!match || port > 65535) return { error: `expected host:port (IPv6 as [::1]:8080), got ${JSON.stringify(address)}` };
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}
