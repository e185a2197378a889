"""Optional: the Python FAST reference (physical-intelligence/fast's processor) on the same 20,000 chunks,
in memory, without the BPE call, since Python's `tokenizers` is not installable on the development machine.
Gives a lower bound on the reference's times. Needs numpy and scipy (Debian: python3-scipy).

    python3 bench/python_reference_partial.py CHUNKS.jsonl

CHUNKS.jsonl: lines of {"actions": [[...] x 7] x 10}, e.g. as bench/cli.bench.ts writes them.
"""

import json
import sys
import time

import numpy as np
from scipy.fft import dct, idct

chunks = np.array([json.loads(line)["actions"] for line in open(sys.argv[1])])
scale, min_token = 10, -354

# encode as the processor's __call__ does, less the BPE call
start = time.perf_counter()
coefficients = np.around(dct(chunks, axis=1, norm="ortho") * scale)
strings = ["".join(map(chr, np.maximum(c.flatten() - min_token, 0).astype(int))) for c in coefficients]
encode_seconds = time.perf_counter() - start

# decode as the processor's decode does, less the BPE call: ord, reshape, idct per chunk
start = time.perf_counter()
decoded = []
for text in strings:
    c = (np.array(list(map(ord, text))) + min_token).reshape(-1, chunks.shape[2])
    decoded.append(idct(c / scale, axis=0, norm="ortho"))
decoded = np.stack(decoded)
decode_seconds = time.perf_counter() - start

print(json.dumps({"chunks": len(chunks), "encodeWithoutBpeSeconds": round(encode_seconds, 3),
                  "decodeWithoutBpeSeconds": round(decode_seconds, 3)}))
