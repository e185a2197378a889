/**
 * Loopback load test of the openpi-compatible policy server: LIBERO-sized requests (two 224×224×3 uint8
 * images + an 8-D float64 state) against a policy that busy-waits 2 ms, first with one client, then 16.
 * Run: pnpm exec tsx bench/policy-server.bench.ts
 */
import { formatLoadTestTable, type LoadTestResult, measureServerOverhead } from '../src/load-test.js';

const results: LoadTestResult[] = [];
for (const clients of [1, 16]) {
  results.push(
    await measureServerOverhead({ clients, requestsPerClient: 200, computeMs: 2, imageSize: 224 }),
  );
}
console.log(
  `policy server, loopback, request frame ${(results[0].requestBytes / 1024).toFixed(0)} KiB, times in ms`,
);
console.log(formatLoadTestTable(results));
console.log(
  'overhead = round trip − 2 ms compute; with 16 clients it includes waiting behind the other clients’ compute.',
);
