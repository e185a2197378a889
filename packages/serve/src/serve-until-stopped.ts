import { adaptPolicy } from './adapt-policy.js';
import type { Policy } from './policy.js';
import { type PolicyServer, servePolicy } from './server.js';

/** Options of {@link serveUntilStopped}. */
export interface ServeUntilStoppedOptions {
  /** How the policy was named (`random`, a module path); sent in the metadata frame and printed. */
  readonly spec: string;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 8000; 0 picks a free port. */
  readonly port?: number;
  /** Side of the square images the served policy expects; checked on every observation when given. */
  readonly imageSize?: number;
}

/**
 * The CLIs' `serve` command: serves `policy` over the openpi protocol, prints the URL, and on SIGINT or
 * SIGTERM closes the server and the policy and exits 0.
 */
export async function serveUntilStopped(
  policy: Policy,
  options: ServeUntilStoppedOptions,
): Promise<PolicyServer> {
  const size = options.imageSize;
  const server = await servePolicy(
    adaptPolicy(policy, {
      metadata: { policy: options.spec },
      ...(size ? { imageSize: { height: size, width: size } } : {}),
    }),
    { host: options.host ?? '127.0.0.1', port: options.port ?? 8000 },
  );
  console.log(`serving ${options.spec} at ${server.url} (GET /healthz for health); Ctrl-C stops`);
  const stop = async () => {
    await server.close();
    await policy.close?.();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return server;
}
