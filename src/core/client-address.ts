/**
 * The client address of a session creation, as `creationRate.perAddress` counts it: checked,
 * then grouped so that one host counts once. Internal; free of Node imports.
 *
 * @module
 */
import { SessionError } from './errors.js';

/** The longest `address` accepted by `create` and `register`. */
export const MAX_ADDRESS_CHARS = 256;

/** `undefined`, or a string of 1 to 256 characters. @throws SessionError `INVALID_ARGUMENT` */
export function checkAddress(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ADDRESS_CHARS) {
    throw new SessionError(
      'INVALID_ARGUMENT',
      `Invalid \`address\`: expected a string of 1 to ${MAX_ADDRESS_CHARS} characters.`,
    );
  }
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * What `address` is counted under: an IPv6 address by its /64 prefix (`2001:db8:0:1::/64`: one
 * host, or one customer line, is handed a whole /64, so counting single IPv6 addresses would let
 * it take 2^64 of them), an IPv4-mapped IPv6 address (`::ffff:192.0.2.7`) as its IPv4 address,
 * anything else (an IPv4 address, a string that is no IP address) as given. A zone
 * (`fe80::1%eth0`) and surrounding brackets are dropped. Never throws.
 */
export function addressKey(address: string): string {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const groups = ipv6Groups(bare.split('%', 1)[0]!);
  if (groups === undefined) return address;
  if (groups[5] === 0xffff && groups.slice(0, 5).every((group) => group === 0)) {
    const [high, low] = [groups[6]!, groups[7]!];
    return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return `${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address in text form; `undefined` when it is not one. */
function ipv6Groups(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parts = halves.map((half) => (half === '' ? [] : half.split(':')));
  const tail = parts[parts.length - 1]!;
  const last = tail[tail.length - 1];
  const v4 = last === undefined ? null : IPV4.exec(last);
  if (v4 !== null) {
    const bytes = v4.slice(1).map(Number);
    if (bytes.some((byte) => byte > 255)) return undefined;
    tail.splice(-1, 1, hex((bytes[0]! << 8) | bytes[1]!), hex((bytes[2]! << 8) | bytes[3]!));
  }
  if (!parts.every((part) => part.every((group) => HEX_GROUP.test(group)))) return undefined;
  const head = parts[0]!.map((group) => Number.parseInt(group, 16));
  if (parts.length === 1) return head.length === 8 ? head : undefined;
  const rest = tail.map((group) => Number.parseInt(group, 16));
  const zeros = 8 - head.length - rest.length;
  return zeros < 1 ? undefined : [...head, ...new Array<number>(zeros).fill(0), ...rest];
}

function hex(value: number): string {
  return value.toString(16);
}
