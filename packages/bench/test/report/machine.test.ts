import { describe, expect, it } from 'vitest';
import { cpuFlagsOf } from '../../src/report/index.js';

describe('cpuFlagsOf', () => {
  it('keeps the instruction sets that pick ONNX Runtime kernels, from the first flags line', () => {
    // Abridged /proc/cpuinfo of the two CI machine kinds: an AMD EPYC without AVX-512 and a Xeon with it.
    const epyc =
      'processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t\t: fpu sse4_2 avx f16c fma avx2 sha_ni\n\nflags\t\t: avx512f';
    const xeon =
      'model name\t: Intel(R) Xeon(R) CPU\nflags\t\t: fpu avx avx2 fma avx512f avx512bw avx512_vnni\n';
    expect(cpuFlagsOf(epyc)).toEqual(['sse4_2', 'avx', 'avx2', 'fma', 'f16c']);
    expect(cpuFlagsOf(xeon)).toEqual(['avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512_vnni']);
    expect(cpuFlagsOf('no such line')).toEqual([]);
  });
});
