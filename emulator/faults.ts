/**
 * Fault injection, globally or per route: 5xx errors, 429 with Retry-After, added latency, asynchronous work
 * that ends in error, and "applied but the response was lost" (the change is made, then a 502 is returned).
 * Draws come from a seeded generator, so a fault scenario replays the same way. A configuration is checked
 * whole before it replaces the current one (see {@link parseFaultConfig}).
 */
import { compileRoutePattern, PatternError, routeMatches } from "./routePattern";

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

/** A fault configuration that was refused, with a message for the person who wrote it. */
export class FaultConfigError extends Error {}

const RATES = ["errorRate", "rateLimitRate", "taskFailureRate", "lostResponseRate"] as const;
const INTEGERS = { retryAfterSeconds: 3600, latencyMs: 60_000 } as const;
const RULE_KEYS = new Set<string>(["route", ...RATES, ...Object.keys(INTEGERS)]);
const MAX_RULES = 100;

/**
 * Checks a fault configuration received as JSON: known keys only, rates in [0, 1], bounded integers, and route
 * patterns that compile safely. Throws {@link FaultConfigError} naming the first problem.
 */
export function parseFaultConfig(value: unknown): FaultConfig {
  const where = (i: number, key?: string) => `rules[${i}]${key ? `.${key}` : ""}`;
  if (!isPlainObject(value))
    throw new FaultConfigError('faults must be a JSON object: {"seed":1,"rules":[…]}');
  for (const key of Object.keys(value))
    if (key !== "seed" && key !== "rules") throw new FaultConfigError(`unknown key [${key}] (seed, rules)`);
  const { seed, rules } = value as { seed?: unknown; rules?: unknown };
  if (seed !== undefined && !(Number.isSafeInteger(seed) && (seed as number) >= 0))
    throw new FaultConfigError("[seed] must be a whole number ≥ 0");
  if (!Array.isArray(rules)) throw new FaultConfigError("[rules] must be a list");
  if (rules.length > MAX_RULES) throw new FaultConfigError(`[rules] may hold at most ${MAX_RULES} rules`);
  rules.forEach((rule: unknown, i) => {
    if (!isPlainObject(rule)) throw new FaultConfigError(`${where(i)} must be an object`);
    for (const key of Object.keys(rule))
      if (!RULE_KEYS.has(key))
        throw new FaultConfigError(`${where(i, key)} is not a fault setting (${[...RULE_KEYS].join(", ")})`);
    const r = rule as Record<string, unknown>;
    for (const key of RATES)
      if (r[key] !== undefined && !(typeof r[key] === "number" && r[key] >= 0 && r[key] <= 1))
        throw new FaultConfigError(`${where(i, key)} must be a probability between 0 and 1`);
    for (const [key, max] of Object.entries(INTEGERS))
      if (
        r[key] !== undefined &&
        !(Number.isInteger(r[key]) && (r[key] as number) >= 0 && (r[key] as number) <= max)
      )
        throw new FaultConfigError(`${where(i, key)} must be a whole number between 0 and ${max}`);
    if (r.route !== undefined)
      try {
        compileRoutePattern(r.route);
      } catch (e) {
        throw new FaultConfigError(`${where(i)}: ${e instanceof PatternError ? e.message : String(e)}`);
      }
  });
  return value as unknown as FaultConfig;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
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
  private config: FaultConfig = { rules: [] };
  private compiled: { rule: FaultRule; route?: RegExp }[] = [];
  private random: () => number = rng(1);

  /** @throws FaultConfigError when `config` is not well-formed. */
  constructor(config: FaultConfig = { rules: [] }) {
    this.set(config);
  }

  /** Replaces the configuration (and reseeds); the old one stays when the new one is refused. */
  set(config: unknown): void {
    const parsed = parseFaultConfig(config);
    // Patterns are compiled once here, not per request.
    this.compiled = parsed.rules.map((rule) => ({
      rule,
      ...(rule.route !== undefined ? { route: compileRoutePattern(rule.route) } : {}),
    }));
    this.config = parsed;
    this.random = rng(parsed.seed ?? 1);
  }

  /** The configuration in force. */
  get current(): FaultConfig {
    return this.config;
  }

  /** Decides for `method path`; auth handshakes are never faulted (the provider would not even start). */
  decide(method: string, path: string): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, failTask: false, loseResponse: false };
    if (/\/auth\/(time|details)$/.test(path)) return decision;
    const target = `${method} ${path}`;
    for (const { rule, route } of this.compiled) {
      if (route && !routeMatches(route, target)) continue;
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
