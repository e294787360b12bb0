/**
 * EFI GUIDs as they sit in firmware and QEMU tables: the first three fields little-endian, the last
 * eight bytes as written ("mixed endian", Python's uuid.bytes_le).
 */
export function guidToBytes(guid: string): Uint8Array {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(guid);
  if (!m) throw new TypeError(`not a GUID: ${guid}`);
  const [, a, b, c, d, e] = m as unknown as [string, string, string, string, string, string];
  const be = Buffer.from(a + b + c + d + e, "hex");
  const out = new Uint8Array(16);
  out.set(be.subarray(0, 4).reverse(), 0);
  out.set(be.subarray(4, 6).reverse(), 4);
  out.set(be.subarray(6, 8).reverse(), 6);
  out.set(be.subarray(8, 16), 8);
  return out;
}

export function guidFromBytes(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, 16);
  const hex = (s: Buffer) => s.toString("hex");
  const rev = (from: number, to: number) => hex(Buffer.from(b.subarray(from, to)).reverse());
  return `${rev(0, 4)}-${rev(4, 6)}-${rev(6, 8)}-${hex(b.subarray(8, 10))}-${hex(b.subarray(10, 16))}`;
}
