#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ServeError } from './errors.js';
import { loadPolicy } from './load-policy.js';
import { formatLoadTestTable, measureServerOverhead } from './load-test.js';
import { serveUntilStopped } from './serve-until-stopped.js';

const USAGE = `roboalign-serve [--policy P] [options]      serve a policy over the openpi WebSocket protocol
roboalign-serve load-test [options]           measure what the server and the protocol add per request

Serve options:
  --policy P        random | path/to/policy-module.js (exports a Policy or a function returning one) | ws://…
  --port N          default 8000 (0 picks a free port)
  --host H          default 127.0.0.1 (0.0.0.0 serves other machines)
  --image-size N    check that both images are N×N
  --seed N          seed of the random policy or the module's factory; default 0

Load-test options:
  --clients N       concurrent connections; default 16
  --requests N      timed requests per connection; default 200
  --compute-ms N    the dummy policy's busy-wait per request; default 2
  --image-size N    side of both images; default 224
  --json            print the result as JSON instead of a table`;

function integer(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new ServeError(`--${name} must be an integer, got "${value}"`);
  return n;
}

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new ServeError(`--${name} must be a number, got "${value}"`);
  return n;
}

async function main(argv: string[]): Promise<void> {
  const command = argv[0] === 'load-test' || argv[0] === 'help' ? argv[0] : 'serve';
  const { values } = parseArgs({
    args: command === 'serve' ? argv : argv.slice(1),
    options: {
      policy: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'image-size': { type: 'string' },
      seed: { type: 'string' },
      clients: { type: 'string' },
      requests: { type: 'string' },
      'compute-ms': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (command === 'help' || values.help) {
    console.log(USAGE);
    return;
  }
  if (command === 'load-test') {
    const result = await measureServerOverhead({
      clients: integer('clients', values.clients),
      requestsPerClient: integer('requests', values.requests),
      computeMs: number('compute-ms', values['compute-ms']),
      imageSize: integer('image-size', values['image-size']),
    });
    console.log(values.json ? JSON.stringify(result) : formatLoadTestTable([result]));
    return;
  }
  if (!values.policy) throw new ServeError(`--policy is required\n\n${USAGE}`);
  const policy = await loadPolicy(values.policy, { seed: integer('seed', values.seed, 0) });
  await serveUntilStopped(policy, {
    spec: values.policy,
    host: values.host,
    port: integer('port', values.port, 8000),
    imageSize: integer('image-size', values['image-size']),
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`roboalign-serve: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
