/**
 * What an engine failure means: transient (worth another pass), permanent (stop at once), or a lock held by
 * another delivery. The engine reports provider and API errors as text — go-ovh's
 * `OVHcloud API error (status code 503): Server::…: "…"`, the SSH steps' `host "x": connection refused`, the DIY
 * backend's `the stack is currently locked by N lock(s)` — so classification reads that text, after cleaning it.
 */

/** How a failure should be handled. */
export type FailureKind = "transient" | "permanent" | "locked";

/** A classified failure: its kind, why, the one line to show, and how long the API asked us to wait. */
export interface ClassifiedFailure {
  readonly kind: FailureKind;
  /** Why it was classified so (for progress lines and reports). */
  readonly reason: string;
  /** The most telling line of the error, cleaned. */
  readonly line: string;
  /** From a `Retry-After` the API sent, in milliseconds. */
  readonly retryAfterMs?: number;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * Removes what a human should never have to read in an error: terminal colour codes, Node's `<ref *1>` object
 * dumps (the object's fields after the first line), and the CLI's own command-line noise.
 */
export function cleanEngineMessage(message: string): string {
  const out: string[] = [];
  let inDump = false;
  for (const raw of message.replace(ANSI, "").replace(/\r/g, "").split("\n")) {
    if (/<ref \*\d+>/.test(raw)) {
      // An inspected Error: keep its message; the indented lines after it are the object's internals.
      out.push(raw.replace(/<ref \*\d+>\s*/g, ""));
      inDump = true;
      continue;
    }
    if (inDump && (/^\s/.test(raw) || /^[{}]/.test(raw))) continue;
    inDump = false;
    if (/^\s+at .+:\d+:\d+\)?$/.test(raw)) continue; // stack frames
    if (/^\s*(code|stdout|stderr|err\?):/.test(raw)) continue;
    out.push(raw);
  }
  return out.join("\n").trim();
}

const TRANSIENT_NETWORK =
  /ECONNRESET|connection reset|ETIMEDOUT|timed out|i\/o timeout|EAI_AGAIN|ECONNREFUSED|connection refused|unexpected EOF|TLS handshake timeout|Too Many Requests|Service Unavailable|Bad Gateway|Gateway Timeout|temporarily unavailable/i;
const PERMANENT_CAUSE =
  /authentication failed|All configured authentication methods failed|permission denied|Cannot parse privateKey|host key|not been granted|invalid (or empty) URL|refusing to/i;

/** Classifies an engine failure's message. Permanent wins where both kinds of evidence appear. */
export function classifyEngineFailure(message: string): ClassifiedFailure {
  const clean = cleanEngineMessage(message);
  const lines = clean
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  // The engine repeats a cause in progress lines ("+ … creating (0s) error: …"); its own "error:" line is cleanest.
  const pick = (re: RegExp) => {
    const matching = lines.filter((l) => re.test(l));
    const best = matching.find((l) => /^error: /.test(l)) ?? matching[0] ?? lines[0] ?? "";
    return best.replace(/^error: /, "");
  };
  if (/the stack is currently locked by/i.test(clean))
    return { kind: "locked", reason: "another delivery holds the stack's lock", line: pick(/locked by/i) };
  const retryAfter = /Retry-After:?\s*"?(\d+)/i.exec(clean);
  const retryAfterMs = retryAfter ? Number(retryAfter[1]) * 1000 : undefined;
  const statuses = [
    ...clean.matchAll(/\(status code (\d{3})\)|\bHTTP(?:\/\d\.\d)? (\d{3})\b|\bstatus (\d{3})\b/g),
  ].map((m) => Number(m[1] ?? m[2] ?? m[3]));
  const permanentStatus = statuses.find((s) => s >= 400 && s < 500 && s !== 408 && s !== 429);
  if (permanentStatus !== undefined)
    return {
      kind: "permanent",
      reason: `the API refused the request (HTTP ${permanentStatus})`,
      line: pick(new RegExp(`status code ${permanentStatus}|${permanentStatus}`)),
    };
  if (PERMANENT_CAUSE.test(clean))
    return { kind: "permanent", reason: "a cause no retry can fix", line: pick(PERMANENT_CAUSE) };
  const transientStatus = statuses.find((s) => s >= 500 || s === 429 || s === 408);
  if (transientStatus !== undefined)
    return {
      kind: "transient",
      reason: `the API answered HTTP ${transientStatus}`,
      line: pick(new RegExp(`status code ${transientStatus}|${transientStatus}`)),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  if (TRANSIENT_NETWORK.test(clean))
    return {
      kind: "transient",
      reason: "a network fault",
      line: pick(TRANSIENT_NETWORK),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  return { kind: "permanent", reason: "not a known transient fault", line: pick(/error|failed/i) };
}

/** The lock holders an engine lock refusal names (`<url>: created by user@host (pid N) at <time>`). */
export function lockHolders(message: string): { holder: string; host: string; pid: number }[] {
  return [...cleanEngineMessage(message).matchAll(/created by ([^@\s]+)@(\S+) \(pid (\d+)\)/g)].map((m) => ({
    holder: `${m[1]}@${m[2]} (pid ${m[3]})`,
    host: m[2],
    pid: Number(m[3]),
  }));
}

/** How `deliver` retries transient engine failures. */
export interface RetryPolicy {
  /** Engine passes in all, the first included. @default 3 */
  readonly attempts: number;
  /** No new pass starts after this long since the first. @default 600000 (10 minutes) */
  readonly windowMs: number;
  /** First backoff; doubled each time, capped at a minute, or the API's Retry-After when longer. @default 5000 */
  readonly baseDelayMs: number;
}

/** The default policy: three passes within ten minutes, 5 s then 10 s apart. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, windowMs: 600_000, baseDelayMs: 5_000 };

/** The wait before pass `attempt` (2, 3, …), or undefined when the policy says stop. */
export function nextDelay(
  policy: RetryPolicy,
  attempt: number,
  elapsedMs: number,
  failure: ClassifiedFailure,
): number | undefined {
  if (failure.kind !== "transient" || attempt > policy.attempts) return undefined;
  const backoff = Math.min(policy.baseDelayMs * 2 ** (attempt - 2), 60_000);
  const delay = Math.max(backoff, failure.retryAfterMs ?? 0);
  return elapsedMs + delay > policy.windowMs ? undefined : delay;
}

/** How many of the last lines of a failed step's standard error a failure shows. */
export const REMOTE_CAUSE_LINES = 8;

/**
 * The remote cause of each failed step in an engine message, by the index of its `failed with exit code N:`
 * line: the last {@link REMOTE_CAUSE_LINES} lines of the step's standard error, which the step's provider puts
 * right after that line. A block ends at a blank line, an engine `error:` line or a resource header
 * (`type:module:Type (name):`).
 */
export function remoteCauses(message: string): Map<number, string[]> {
  const lines = message.split("\n");
  const causes = new Map<number, string[]>();
  lines.forEach((line, i) => {
    if (!/failed with exit code \d+:$/.test(line.trim())) return;
    const block: string[] = [];
    for (const next of lines.slice(i + 1)) {
      const t = next.trim();
      if (!t || /^error:/.test(t) || /^[\w-]+:[\w/-]*:[\w-]+ \(.*\):$/.test(t)) break;
      block.push(t);
    }
    causes.set(i, block.slice(-REMOTE_CAUSE_LINES));
  });
  return causes;
}
