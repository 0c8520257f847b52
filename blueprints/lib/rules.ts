/** What every semantic rule shares: the problem it reports, and how it reports one. */

/** A problem before it is located. */
export interface Problem {
  readonly pointer: string;
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

/** Path segments of a pointer into the effective document. */
export type Path = readonly (string | number)[];

/** Reports one problem at a path. */
export type Report = (path: Path, code: string, message: string, hint?: string) => void;

/**
 * Top-level sections of an environment. A rule declares the sections it reads, so the loader can run it on a
 * document whose other sections failed the schema (one run reports both kinds of problem).
 */
export type Section =
  | "metadata"
  | "target"
  | "network"
  | "networks"
  | "imports"
  | "servers"
  | "kubernetes"
  | "databases"
  | "buckets"
  | "dns"
  | "loadBalancers"
  | "hostRoles"
  | "hosts"
  | "operations";

/** Lists values for a message: `a, b, c`, or `none`. */
export function list(values: readonly string[]): string {
  return values.length ? values.join(", ") : "none";
}
