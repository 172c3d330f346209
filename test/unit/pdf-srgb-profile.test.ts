import { describe, expect, it } from 'vitest';
import { srgbProfile } from '#adapters/pdf/srgb-profile';

describe('srgbProfile', () => {
  it('is a well-formed ICC v2 RGB display profile with the sRGB tone curve', () => {
    // Act
    const profile = Buffer.from(srgbProfile());

    // Assess
    expect(profile.readUInt32BE(0)).toBe(profile.byteLength);
    expect(profile.readUInt32BE(8)).toBe(0x02100000);
    expect(profile.toString('latin1', 12, 24)).toBe('mntrRGB XYZ ');
    expect(profile.toString('latin1', 36, 40)).toBe('acsp');
    const count = profile.readUInt32BE(128);
    const tags = new Map<string, { offset: number; size: number }>();
    for (let i = 0; i < count; i++) {
      const at = 132 + 12 * i;
      const tag = { offset: profile.readUInt32BE(at + 4), size: profile.readUInt32BE(at + 8) };
      expect(tag.offset % 4).toBe(0);
      expect(tag.offset + tag.size).toBeLessThanOrEqual(profile.byteLength);
      tags.set(profile.toString('latin1', at, at + 4), tag);
    }
    // What ICC.1 requires of a matrix/TRC display profile.
    expect([...tags.keys()].sort()).toEqual(
      ['bTRC', 'bXYZ', 'cprt', 'desc', 'gTRC', 'gXYZ', 'rTRC', 'rXYZ', 'wtpt'].sort(),
    );
    const red = tags.get('rXYZ')!;
    expect(profile.toString('latin1', red.offset, red.offset + 4)).toBe('XYZ ');
    expect(profile.readInt32BE(red.offset + 8) / 65536).toBeCloseTo(0.4361, 4);
    const curve = tags.get('gTRC')!;
    expect(profile.toString('latin1', curve.offset, curve.offset + 4)).toBe('curv');
    const points = profile.readUInt32BE(curve.offset + 8);
    const sample = (i: number) => profile.readUInt16BE(curve.offset + 12 + 2 * i) / 65535;
    expect(sample(0)).toBe(0);
    expect(sample(points - 1)).toBe(1);
    // sRGB 50 % grey is 21.4 % linear light.
    expect(sample(Math.round((points - 1) / 2))).toBeCloseTo(0.214, 3);
  });
});
