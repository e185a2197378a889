// The classifier behind scripts/check-licences.mjs (run by `npm test` before the tests).
import { describe, expect, it } from 'vitest';
import { alternatives, classifyLicence, judgePackage, packagesFromPnpm } from '../scripts/licence-rules.mjs';

describe('classifyLicence', () => {
  it('accepts permissive licences and expressions with a permissive alternative', () => {
    for (const licence of ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC', '0BSD', 'MPL-2.0', '(MIT OR CC0-1.0)'])
      expect(classifyLicence(licence), licence).toBe('permissive');
    expect(classifyLicence('MIT OR LGPL-3.0-or-later')).toBe('permissive');
    expect(classifyLicence('(GPL-2.0-only OR MIT) AND BSD-3-Clause')).toBe('permissive');
  });

  it('refuses GPL, AGPL and LGPL in any spelling, and LGPL required alongside MIT', () => {
    for (const licence of [
      'GPL-2.0-or-later',
      'GPL-3.0+',
      'GPLv3',
      'AGPL-3.0-only',
      'LGPL-2.1',
      'LGPL-3.0-or-later',
      'GPL-2.0 WITH Classpath-exception-2.0',
      'MIT AND LGPL-3.0',
      '(GPL-2.0 OR AGPL-3.0)',
    ])
      expect(classifyLicence(licence), licence).toBe('copyleft');
  });

  it('calls missing, proprietary, free-text and unlisted licences unknown', () => {
    for (const licence of [
      '',
      undefined,
      'Unknown',
      'UNLICENSED',
      'SEE LICENSE IN LICENSE',
      'Apache 2.0',
      '(MIT',
    ])
      expect(classifyLicence(licence), String(licence)).toBe('unknown');
    // An unknown alternative is better than a GPL one, but still not permissive.
    expect(classifyLicence('GPL-3.0 OR Custom')).toBe('unknown');
  });

  it('reads SPDX expressions as alternatives of conjunctions', () => {
    expect(alternatives('(MIT OR Apache-2.0) AND BSD-3-Clause')).toEqual([
      ['MIT', 'BSD-3-Clause'],
      ['Apache-2.0', 'BSD-3-Clause'],
    ]);
    expect(alternatives('GPL-2.0 WITH Classpath-exception-2.0 OR MIT')).toEqual([
      ['GPL-2.0 WITH Classpath-exception-2.0'],
      ['MIT'],
    ]);
  });
});

describe('judgePackage', () => {
  it('counts @napi-rs/webcodecs as GPL-2.0-or-later although it declares MIT (libx264 in its binary)', () => {
    for (const name of ['@napi-rs/webcodecs', '@napi-rs/webcodecs-linux-x64-gnu']) {
      const verdict = judgePackage({ name, version: '1.3.1', license: 'MIT' });
      expect(verdict).toMatchObject({ ok: false, licence: 'GPL-2.0-or-later', declared: 'MIT' });
      expect(verdict.reason).toMatch(/libx264/);
    }
  });

  it('allows the reviewed exceptions only with the licence (and version) reviewed', () => {
    const libvips = { name: '@img/sharp-libvips-linux-x64', version: '1.3.4', license: 'LGPL-3.0-or-later' };
    expect(judgePackage(libvips)).toMatchObject({ ok: true, class: 'copyleft' });
    expect(judgePackage({ ...libvips, name: '@img/sharp-libvips-darwin-arm64' }).ok).toBe(true);
    expect(judgePackage({ ...libvips, license: 'GPL-3.0-or-later' }).ok).toBe(false);
    const font = { name: 'dejavu-fonts-ttf', version: '2.37.3', license: 'Unknown' };
    expect(judgePackage(font).ok).toBe(true);
    expect(judgePackage({ ...font, version: '2.38.0' })).toMatchObject({ ok: false, class: 'unknown' });
    expect(judgePackage({ name: 'left-pad', version: '1.0.0', license: 'LGPL-2.1' })).toMatchObject({
      ok: false,
      class: 'copyleft',
    });
    expect(judgePackage({ name: 'x', version: '1.0.0', license: 'MIT' })).toMatchObject({ ok: true });
  });

  it("flattens pnpm's JSON into one entry per package and version", () => {
    const json = {
      MIT: [{ name: 'b', versions: ['1.0.0', '2.0.0'], license: 'MIT' }],
      Unknown: [{ name: 'a', versions: ['0.1.0'], license: 'Unknown' }],
    };
    expect(packagesFromPnpm(json)).toEqual([
      { name: 'a', version: '0.1.0', license: 'Unknown' },
      { name: 'b', version: '1.0.0', license: 'MIT' },
      { name: 'b', version: '2.0.0', license: 'MIT' },
    ]);
  });
});
