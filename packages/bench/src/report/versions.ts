import { createRequire } from 'node:module';

/** Packages whose versions a report records: bench, its physics and the packages it evaluates through. */
const PACKAGES = ['@roboalign/bench', '@roboalign/serve', '@roboalign/datasets', 'mujoco-js'] as const;

/** The versions of the software that ran a benchmark (`unknown` where a package.json is not reachable). */
export function softwareVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const versions: Record<string, string> = { node: process.version };
  for (const name of PACKAGES) {
    try {
      versions[name] = (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      versions[name] = 'unknown';
    }
  }
  return versions;
}
