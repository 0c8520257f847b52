/**
 * Fault injection, globally or per route: 5xx errors, 429 with Retry-After, added latency, asynchronous work
 * that ends in error, and "applied but the response was lost" (the change is made, then a 502 is returned).
 * Draws come from a seeded generator, so a fault scenario replays the same way.
 */

/** One fault rule; `route` is a regular expression over `METHOD /path`. */
export interface FaultRule {
  readonly route?: string;
  /** Probability of a 500 before anything happens. */
  readonly errorRate?: number;
  /** Probability of a 429 with Retry-After. */
  readonly rateLimitRate?: number;
  /** Seconds in Retry-After. @default 1 */
  readonly retryAfterSeconds?: number;
  /** Added latency per request. */
  readonly latencyMs?: number;
  /** Probability that asynchronous work (status, operation) ends in error. */
  readonly taskFailureRate?: number;
  /** Probability that a write is applied but answered with a 502. */
  readonly lostResponseRate?: number;
}

/** The fault configuration. */
export interface FaultConfig {
  readonly seed?: number;
  readonly rules: readonly FaultRule[];
}

/** What to do with one request. */
export interface FaultDecision {
  latencyMs: number;
  error?: { status: 500 | 429; retryAfter?: number };
  failTask: boolean;
  loseResponse: boolean;
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides faults per request. */
export class Faults {
  private random: () => number;
  constructor(private config: FaultConfig = { rules: [] }) {
    this.random = rng(config.seed ?? 1);
  }

  /** Replaces the configuration (and reseeds). */
  set(config: FaultConfig): void {
    this.config = config;
    this.random = rng(config.seed ?? 1);
  }

  get current(): FaultConfig {
    return this.config;
  }

  /** Decides for `method path`; auth handshakes are never faulted (the provider would not even start). */
  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, failTask: false, loseResponse: false };
    if (/\/auth\/(time|details)$/.test(path)) return decision;
    const target = `${method} ${path}`;
    for (const rule of this.config.rules) {
      if (rule.route && !new RegExp(rule.route).test(target)) continue;
      decision.latencyMs += rule.latencyMs ?? 0;
      if (!decision.error && this.random() < (rule.errorRate ?? 0)) decision.error = { status: 500 };
      if (!decision.error && this.random() < (rule.rateLimitRate ?? 0))
        decision.error = { status: 429, retryAfter: rule.retryAfterSeconds ?? 1 };
      if (this.random() < (rule.taskFailureRate ?? 0)) decision.failTask = true;
      if (method !== "GET" && this.random() < (rule.lostResponseRate ?? 0)) decision.loseResponse = true;
    }
    return decision;
  }
}
