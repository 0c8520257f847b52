/** IPv4 CIDR arithmetic for network checks and subnet carving. */

/** A parsed IPv4 block. */
export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
}

/** The result of parsing: a block, or why the text is not one (with the aligned block to suggest). */
export type CidrParse = { ok: true; cidr: Cidr } | { ok: false; reason: string; suggestion?: string };

/** Parses `a.b.c.d/n`, requiring the host bits to be zero. */
export function parseCidr(text: string): CidrParse {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return { ok: false, reason: "is not an IPv4 CIDR block like 10.0.0.0/16" };
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return { ok: false, reason: "has an octet above 255" };
  const prefix = Number(m[5]);
  if (prefix > 32) return { ok: false, reason: "has a prefix length above 32" };
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const base = (address & mask(prefix)) >>> 0;
  if (base !== address) {
    return { ok: false, reason: "has host bits set", suggestion: formatCidr({ base, prefix }) };
  }
  return { ok: true, cidr: { base, prefix } };
}

/** Parses a dotted-quad IPv4 address to an unsigned 32-bit integer, or undefined. */
export function parseAddress(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
}

/** Number of addresses in the block. */
export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** True when `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && (inner.base & mask(outer.prefix)) >>> 0 === outer.base;
}

/** True when the two blocks share any address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a);
}

/** Formats an address as dotted quad. */
export function formatAddress(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

/** Formats a block as `a.b.c.d/n`. */
export function formatCidr(c: Cidr): string {
  return `${formatAddress(c.base)}/${c.prefix}`;
}

/** The `index`-th sub-block of the given prefix inside `outer`, or undefined when it does not fit. */
export function carve(outer: Cidr, prefix: number, index: number): Cidr | undefined {
  if (prefix < outer.prefix) return undefined;
  const step = 2 ** (32 - prefix);
  if ((index + 1) * step > size(outer)) return undefined;
  return { base: (outer.base + index * step) >>> 0, prefix };
}
