/*
 * Remembers which DNS name each address was resolved from (getaddrinfo
 * answers), so connect/udp_send/tcp_close events can carry the `dns` name.
 */

/** Address -> name, bounded; the most recent resolution of an address wins. */
export class DnsCache {
  private readonly names = new Map<string, string>();

  constructor(private readonly capacity = 8192) {}

  /** Records that `name` resolved to each of `addresses`. */
  add(name: string, addresses: readonly string[]): void {
    for (const a of addresses) {
      this.names.delete(a); // re-insert at the end: Map keeps insertion order, the oldest go first
      this.names.set(a, name);
      if (this.names.size > this.capacity) this.names.delete(this.names.keys().next().value as string);
    }
  }

  /** The name `address` was resolved from, if any. */
  lookup(address: string): string | undefined {
    return this.names.get(address);
  }
}
