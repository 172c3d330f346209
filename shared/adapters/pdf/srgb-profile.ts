/**
 * An ICC v2 display profile for sRGB (IEC 61966-2.1), built here rather than shipped as a file:
 * the D50-adapted primaries of the standard (Bradford, as in the widely used sRGB profiles)
 * and its tone curve sampled at 1024 points. PDF/A output intents carry it (ISO 19005-3, 6.2.3)
 * so that DeviceRGB colours have a defined meaning. Deterministic: no date, no random ID.
 */

const CURVE_POINTS = 1024;

/** s15Fixed16Number (ICC.1 5.1.3). */
function s15f16(value: number): number {
  return Math.round(value * 65536) | 0;
}

function xyzTag(x: number, y: number, z: number): Buffer {
  const tag = Buffer.alloc(20);
  tag.write('XYZ ', 0, 'latin1');
  tag.writeInt32BE(s15f16(x), 8);
  tag.writeInt32BE(s15f16(y), 12);
  tag.writeInt32BE(s15f16(z), 16);
  return tag;
}

function textTag(value: string): Buffer {
  const tag = Buffer.alloc(8 + value.length + 1);
  tag.write('text', 0, 'latin1');
  tag.write(value, 8, 'latin1');
  return tag;
}

/** textDescriptionType (ICC.1:2001 6.5.17): ASCII, with empty Unicode and ScriptCode parts. */
function descriptionTag(value: string): Buffer {
  const ascii = value.length + 1;
  const tag = Buffer.alloc(8 + 4 + ascii + 4 + 4 + 2 + 1 + 67);
  tag.write('desc', 0, 'latin1');
  tag.writeUInt32BE(ascii, 8);
  tag.write(value, 12, 'latin1');
  return tag;
}

/** The sRGB transfer function, linear near black and a 2.4 power above it. */
function curveTag(): Buffer {
  const tag = Buffer.alloc(12 + 2 * CURVE_POINTS);
  tag.write('curv', 0, 'latin1');
  tag.writeUInt32BE(CURVE_POINTS, 8);
  for (let i = 0; i < CURVE_POINTS; i++) {
    const v = i / (CURVE_POINTS - 1);
    const linear = v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    tag.writeUInt16BE(Math.round(linear * 65535), 12 + 2 * i);
  }
  return tag;
}

function pad4(data: Buffer): Buffer {
  const padding = (4 - (data.byteLength % 4)) % 4;
  return padding === 0 ? data : Buffer.concat([data, Buffer.alloc(padding)]);
}

let profile: Uint8Array | undefined;

export const SRGB_DESCRIPTION = 'sRGB IEC61966-2.1';

export function srgbProfile(): Uint8Array {
  profile ??= buildProfile();
  return profile;
}

function buildProfile(): Uint8Array {
  const curve = curveTag();
  // Tags sharing one data block (the three tone curves) is allowed by ICC.1 7.3.1.
  const tags: [string, Buffer][] = [
    ['desc', descriptionTag(SRGB_DESCRIPTION)],
    ['cprt', textTag('No copyright, use freely')],
    ['wtpt', xyzTag(0.9642, 1, 0.8249)],
    ['rXYZ', xyzTag(0.4361, 0.2225, 0.0139)],
    ['gXYZ', xyzTag(0.3851, 0.7169, 0.0971)],
    ['bXYZ', xyzTag(0.1431, 0.0606, 0.7141)],
    ['rTRC', curve],
    ['gTRC', curve],
    ['bTRC', curve],
  ];
  const tableSize = 4 + 12 * tags.length;
  const table = Buffer.alloc(tableSize);
  table.writeUInt32BE(tags.length, 0);
  const blocks: Buffer[] = [];
  const placed = new Map<Buffer, number>();
  let offset = 128 + tableSize;
  tags.forEach(([signature, data], i) => {
    let at = placed.get(data);
    if (at === undefined) {
      at = offset;
      placed.set(data, at);
      const block = pad4(data);
      blocks.push(block);
      offset += block.byteLength;
    }
    table.write(signature, 4 + 12 * i, 'latin1');
    table.writeUInt32BE(at, 8 + 12 * i);
    table.writeUInt32BE(data.byteLength, 12 + 12 * i);
  });

  const header = Buffer.alloc(128);
  header.writeUInt32BE(offset, 0);
  header.writeUInt32BE(0x02100000, 8); // version 2.1
  header.write('mntr', 12, 'latin1');
  header.write('RGB ', 16, 'latin1');
  header.write('XYZ ', 20, 'latin1');
  // Creation date 2000-01-01 00:00:00, fixed so the profile (and every PDF) is reproducible.
  [2000, 1, 1, 0, 0, 0].forEach((value, i) => {
    header.writeUInt16BE(value, 24 + 2 * i);
  });
  header.write('acsp', 36, 'latin1');
  header.writeUInt32BE(0, 64); // perceptual intent
  header.writeInt32BE(s15f16(0.9642), 68); // PCS illuminant D50
  header.writeInt32BE(s15f16(1), 72);
  header.writeInt32BE(s15f16(0.8249), 76);
  return new Uint8Array(Buffer.concat([header, table, ...blocks]));
}
