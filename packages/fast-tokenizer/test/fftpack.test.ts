// Unit tests of the pocketfft-order DCT (src/fftpack). They need no ../shared: the expected values are
// scipy 1.17.1 results (Linux x86-64, glibc 2.36), computed offline and stored as numbers or as hashes.
import { describe, expect, it } from 'vitest';
import { dct, idct } from '../src/dct.js';
import { exactCos, exactSin } from '../src/fftpack/exact-trig.js';
import { fma } from '../src/fftpack/fma.js';
import { libmCos, libmSin } from '../src/fftpack/libm-trig.js';
import { inverseSqrt, quarterPiOver } from '../src/fftpack/long-double.js';
import { factorize } from '../src/fftpack/real-fft.js';

/**
 * FNV-1a (32-bit) over the little-endian float64 bytes: a compact fingerprint of exact bits.
 * scipy side: the same loop over `array.astype('<f8').tobytes()`.
 */
function fnv1a(values: Float64Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Deterministic `[n, 3]` input, exact on both sides: ((i·7919 + n·104729) mod 2001 − 1000) / 1000. */
function input(n: number): Float64Array {
  return Float64Array.from({ length: n * 3 }, (_, i) => (((i * 7919 + n * 104729) % 2001) - 1000) / 1000);
}

/** [length, fnv1a(scipy dct(x, axis=0, norm='ortho')), fnv1a(scipy idct(...))] */
const SCIPY: Array<[number, string, string]> = [
  [1, '23656176', '23656176'],
  [2, 'a46e1f7f', '4ff80c66'],
  [3, '82b81487', '3a6b58c2'],
  [4, '030e59da', '4d7c7bfc'],
  [5, 'a26952e3', '07e3c0a9'],
  [6, '5fe48858', 'a574ce43'],
  [7, '8ec39181', 'b16c4da7'],
  [8, '536c7af3', '9af5f3e6'],
  [9, 'e760f761', '3d970af8'],
  [10, '827faf43', '69ed855c'],
  [11, '605e9f40', 'c6ee60ba'],
  [12, '5822f708', '92d09f71'],
  [13, 'f2722ac1', '484bf5e0'],
  [14, '5e5efee5', '0ba6abe9'],
  [15, '761ce265', 'ce4594ad'],
  [16, '437ae121', 'bc58bc63'],
  [17, '5bb3443a', '064b1f2f'],
  [18, 'f431c312', 'c04cc8ff'],
  [19, '746a1b22', '72b7aa3f'],
  [20, 'e68897a4', '56eff5f2'],
  [21, 'd2cfcd18', '7eed95d3'],
  [22, '04045cce', 'edcdd65c'],
  [23, 'd2e8a807', 'e63d0d21'],
  [24, '4546df83', 'cd1772d7'],
  [25, 'c7c8e3f8', 'f41d67a6'],
  [26, '22112fed', 'a2ac9fa7'],
  [27, '1d60b6ee', '0a82b255'],
  [28, '2dba83e5', 'ba516461'],
  [29, '11e675c5', 'e02fd843'],
  [30, '2f24de4f', '9f103773'],
  [31, '5faffbd0', '0df14446'],
  [32, '76ade6b5', 'f11ddac6'],
  [33, '6cbfcd5c', 'dea11aff'],
  [34, '28e7007d', '65ab45d9'],
  [35, '9975bdb1', 'df2e9f29'],
  [36, '8ff9e071', 'b4c78051'],
  [37, '28e3acf7', '985d56d7'],
  [38, 'a5ed8c69', 'de73f19d'],
  [39, '2d66e585', '5870ae31'],
  [40, '7c49803f', 'b8fa10f7'],
  [41, 'c43e4e9e', '0efc50e5'],
  [42, '70d24814', 'd2fca67b'],
  [43, 'd2a95214', 'a180e8de'],
  [44, 'a153a710', 'dbd0b5d5'],
  [45, '5accc723', 'db51850d'],
  [46, 'a7331a87', '53fad41f'],
  [47, 'f1a073c9', '046cf95e'],
  [48, 'a85409ee', 'a2a2c418'],
  [49, '8b4a1e30', 'c8268969'],
  [50, '97323bc5', '2e78100b'],
  [51, '33b27073', '127533f8'],
  [52, 'aa62358b', '087eab1e'],
  [53, '6c680041', '683c1494'],
  [54, 'cba1969d', '973014ef'],
  [55, '7317b5a9', 'ec9ac89c'],
  [56, 'c9ba30e7', '6d0a9f21'],
  [57, 'c90d7b75', '4109aec0'],
  [58, '15f5af77', 'a871efed'],
  [59, '746ae886', 'b8f27a55'],
  [60, '3d875584', '745a21f8'],
  [61, '0d22a9a9', '68977575'],
  [62, '6c51e30d', '2a316db4'],
  [63, '720f2e47', '396b8184'],
  [64, '589caf67', 'a4487719'],
  [65, '3113901f', '4b3d5245'],
  [66, '59f46c5e', '596a6e35'],
  [67, '70ef449b', '301af6cf'],
  [68, '33066a48', '3cd17c13'],
  [69, 'f9cbab69', '8028037e'],
  [70, '0498bb5f', '34da82c2'],
  [71, '622bff14', '807828c3'],
  [72, '8ece4744', 'e0643479'],
  [73, '6ba70af9', '9dd2cdbe'],
  [74, 'ec34f00f', '06938594'],
  [75, '0ea56e93', 'f8998e3c'],
  [76, '5742defb', '987e4e03'],
  [77, '8bc2ed2e', 'dc68d3b1'],
  [78, '86e8fffb', 'b82a63b9'],
  [79, '6e2da5c6', 'aa21f822'],
  [80, 'b3303b28', '3d3050ce'],
  [81, '89478ca1', '7175ce0e'],
  [82, '81297f93', '921c76d0'],
  [83, '8ba166dc', '229baf9d'],
  [84, '1c3a60c9', '407fc9a8'],
  [85, '0b3ff67d', 'edd072ce'],
  [86, '09729c21', '1dff71b3'],
  [87, '19c2a41e', 'e2997d78'],
  [88, '2edc8edd', '12717b97'],
  [89, '0b67b627', '60fcc8d4'],
  [90, 'bc94d4ae', '5b4d9476'],
  [91, '8df19383', 'a31f560a'],
  [92, '5c086673', '6661aab8'],
  [93, 'd7282cb5', '5665dcf1'],
  [94, 'e1ec3c28', 'd42d661f'],
  [95, 'fc664927', 'e73aa26d'],
  [96, '3db381c7', 'b2fa62c8'],
  [97, '52375b75', 'af260caf'],
  [98, 'ae2b9b09', '7baf2e03'],
  [99, '14fc11df', '07e61de3'],
  [100, '6089fb2b', '94b8bf18'],
];

describe('dct / idct are bit-identical to scipy.fft (pocketfft order)', () => {
  it.each(SCIPY)('length %i', (n, wantDct, wantIdct) => {
    const x = input(n);
    expect(fnv1a(dct(x, n, 3))).toBe(wantDct);
    expect(fnv1a(idct(x, n, 3))).toBe(wantIdct);
  });

  it('gives the values scipy prints for a small case', () => {
    // scipy: dct([1.0], norm='ortho') == 1.0000000000000002 (×2, ×1/sqrt(2), ×sqrt(2)/2, each rounded)
    expect(dct([1], 1, 1)[0]).toBe(1.0000000000000002);
    expect(idct([-32.2], 1, 1)[0]).toBe(-32.20000000000001);
  });
});

describe('pocketfft planning details', () => {
  it('factors lengths as pocketfft: 4s, one 2 moved to the front, then odd primes', () => {
    expect(factorize(8)).toEqual([2, 4]);
    expect(factorize(12)).toEqual([4, 3]);
    expect(factorize(50)).toEqual([2, 5, 5]);
    expect(factorize(96)).toEqual([2, 4, 4, 3]);
    expect(factorize(49)).toEqual([7, 7]);
    expect(factorize(13)).toEqual([13]);
  });

  it('rounds the long-double constants as x87 does, not as plain float64', () => {
    // double(0.25L * pi / 3) and double(1 / sqrtl(6)) from numpy.longdouble; float64 math is one ulp off.
    expect(quarterPiOver(3)).toBe(0.26179938779914946);
    expect(Math.PI / 4 / 3).not.toBe(quarterPiOver(3));
    expect(inverseSqrt(6)).toBe(0.408248290463863);
    expect(1 / Math.sqrt(6)).not.toBe(inverseSqrt(6));
  });

  it('computes correctly rounded cos/sin where V8 Math.cos is an ulp off', () => {
    // Correctly rounded values from mpmath at 300 bits.
    const cases: Array<[number, number]> = [
      [0.0380427235395639, 0.9992764628606833],
      [0.03977615007998127, 0.99920903323581],
      [0.042210826402858455, 0.9991092553362896],
    ];
    for (const [x, want] of cases) expect(exactCos(x)).toBe(want);
    expect(exactCos(0)).toBe(1);
    expect(exactSin(0)).toBe(0);
    expect(exactSin(Math.PI / 6)).toBeCloseTo(0.5, 15);
    expect(() => exactCos(1)).toThrow(RangeError);
  });

  it("reproduces glibc's cos/sin where they are not correctly rounded", () => {
    // [x, glibc 2.36 cos(x) (x86-64, FMA), the correctly rounded value]: glibc is 0.5000x ulp off here.
    const cases: Array<[number, number, number]> = [
      [0.029738377060680082, 0.9995578470519457, 0.9995578470519456],
      [0.05910376917028555, 0.9982538806271564, 0.9982538806271565],
      [0.059206938471499944, 0.9982477811694574, 0.9982477811694573],
    ];
    for (const [x, glibc, correct] of cases) {
      expect(libmCos(x)).toBe(glibc);
      expect(exactCos(x)).toBe(correct);
    }
    expect(libmCos(0)).toBe(1);
    expect(libmSin(0)).toBe(0);
    expect(libmSin(0.5)).toBe(Math.sin(0.5));
    expect(() => libmSin(0.9)).toThrow(RangeError);
  });

  it('fma rounds once', () => {
    // (1 + 2^-30)^2 - 1 = 2^-29 + 2^-60: a separate multiply rounds the 2^-60 away, fma keeps it.
    const a = 1 + 2 ** -30;
    expect(a * a - 1).toBe(2 ** -29);
    expect(fma(a, a, -1)).toBe(2 ** -29 + 2 ** -60);
    expect(fma(2, 3, 4)).toBe(10);
    expect(Object.is(fma(1, -0, -0), -0)).toBe(true);
  });
});
