/**
 * Text as GBK bytes, the way Excel on a Chinese Windows saves a CSV. Node has no GBK encoder,
 * so the table is built by running its GBK decoder over every two-byte code.
 */
let table: Map<string, [number, number]> | null = null;

export function gbk(text: string): Uint8Array {
  if (!table) {
    table = new Map();
    const decoder = new TextDecoder('gbk');
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        const ch = decoder.decode(Uint8Array.of(lead, trail));
        if (ch.length === 1 && ch !== '\ufffd' && !table.has(ch)) table.set(ch, [lead, trail]);
      }
    }
  }
  const out: number[] = [];
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else {
      const bytes = table.get(ch);
      if (!bytes) throw new Error(`not in GBK: ${ch}`);
      out.push(...bytes);
    }
  }
  return Uint8Array.from(out);
}
