// Types of scripts/licence-rules.mjs, for tests/licence-rules.test.ts.
export type LicenceClass = 'permissive' | 'copyleft' | 'unknown';

export interface InstalledPackage {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
}

export interface Verdict {
  readonly ok: boolean;
  /** The effective licence (what EFFECTIVE says, else what the package declares). */
  readonly licence: string;
  readonly declared: string;
  readonly class: LicenceClass;
  readonly reason: string | undefined;
}

export interface LicenceRule {
  readonly name: string | RegExp;
  readonly licence: string;
  readonly version?: string;
  readonly why: string;
}

export const PERMISSIVE: ReadonlySet<string>;
export const EFFECTIVE: readonly LicenceRule[];
export const REVIEWED: readonly LicenceRule[];
export function alternatives(expression: string | undefined): string[][];
export function classifyId(id: string): LicenceClass;
export function classifyLicence(expression: string | undefined): LicenceClass;
export function judgePackage(pkg: InstalledPackage): Verdict;
export function packagesFromPnpm(
  json: Record<string, readonly { name: string; versions?: string[]; version?: string; license?: string }[]>,
): InstalledPackage[];
