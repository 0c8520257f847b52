/**
 * Fault-rule route patterns are regular expressions typed by a person (or sent to `PUT /_emulator/faults`), and
 * they run on every request: a bad one must be refused at once with a clear message, never compiled per request
 * (a `(` used to make every call answer 500), and never be able to hang the emulator by catastrophic backtracking.
 */
import * as vm from "vm";

/** The longest pattern accepted. */
export const MAX_PATTERN_LENGTH = 200;
/** Requests are matched on at most this many characters of `METHOD /path`, which bounds matching time. */
export const MAX_TARGET_LENGTH = 1024;
/** How many unbounded quantifiers (`*`, `+`, `{n,}`) a pattern may hold: each one multiplies backtracking. */
const MAX_UNBOUNDED = 4;
/** Time a pattern may take on the probe strings when it is set. */
const PROBE_TIMEOUT_MS = 50;

/** A pattern that was refused, with the reason. */
export class PatternError extends Error {}

/**
 * Compiles a route pattern or throws {@link PatternError}. Refused: too long, not a valid regular expression,
 * backreferences and lookarounds, a quantified group that itself holds a quantifier or an alternation (`(a+)+`,
 * `(a|a)*`: exponential backtracking), too many unbounded quantifiers, or slow on adversarial probe strings.
 */
export function compileRoutePattern(pattern: unknown): RegExp {
  if (typeof pattern !== "string") throw new PatternError("[route] must be a string (a regular expression)");
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH)
    throw new PatternError(`[route] must be 1 to ${MAX_PATTERN_LENGTH} characters long`);
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw new PatternError(`[route] is not a valid regular expression: ${(e as Error).message}`);
  }
  const shape = shapeOf(pattern);
  if (shape.backreference)
    throw new PatternError(
      "[route] may not use backreferences or lookarounds (they make matching unbounded)",
    );
  if (shape.nestedQuantifier)
    throw new PatternError(
      "[route] may not repeat a group that itself repeats or alternates, such as (a+)+ or (a|b)* " +
        "(catastrophic backtracking); write the alternatives without the outer repetition",
    );
  if (shape.unbounded > MAX_UNBOUNDED)
    throw new PatternError(`[route] may hold at most ${MAX_UNBOUNDED} unbounded repetitions (*, +, {n,})`);
  probe(pattern);
  return re;
}

/** Tests `method path` against a compiled pattern, on a bounded prefix of the target. */
export function routeMatches(re: RegExp, target: string): boolean {
  return re.test(target.length > MAX_TARGET_LENGTH ? target.slice(0, MAX_TARGET_LENGTH) : target);
}

interface Shape {
  backreference: boolean;
  nestedQuantifier: boolean;
  unbounded: number;
}

/** A small scanner over the pattern's syntax: groups, escapes, character classes, quantifiers. */
function shapeOf(pattern: string): Shape {
  const shape: Shape = { backreference: false, nestedQuantifier: false, unbounded: 0 };
  // For each open group: does its body repeat or alternate?
  const groups: { repeats: boolean }[] = [];
  let lastClosedGroupRepeats = false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const atom = (repeats: boolean) => {
      lastClosedGroupRepeats = repeats;
    };
    if (c === "\\") {
      const n = pattern[i + 1] ?? "";
      if (!inClass && (/[1-9]/.test(n) || n === "k")) shape.backreference = true;
      i++;
      atom(false);
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") {
      inClass = true;
      atom(false);
      continue;
    }
    if (c === "(") {
      if (pattern.startsWith("(?=", i) || pattern.startsWith("(?!", i) || pattern.startsWith("(?<=", i))
        shape.backreference = true;
      if (pattern.startsWith("(?<!", i)) shape.backreference = true;
      groups.push({ repeats: false });
      // Skip the group's prefix ((?:, (?=, (?<name>…) so its "?" is not read as a quantifier.
      if (pattern[i + 1] === "?") {
        const named = /^\(\?<[A-Za-z_$][\w$]*>/.exec(pattern.slice(i));
        i += named ? named[0].length - 1 : pattern[i + 2] === "<" ? 3 : 2;
      }
      continue;
    }
    if (c === ")") {
      const g = groups.pop();
      atom(g?.repeats ?? false);
      continue;
    }
    if (c === "|") {
      if (groups.length) groups[groups.length - 1].repeats = true;
      continue;
    }
    const unbounded = c === "*" || c === "+" || (c === "{" && /^\{\d+,\}/.test(pattern.slice(i)));
    const bounded = c === "?" || (c === "{" && /^\{\d+(,\d+)?\}/.test(pattern.slice(i)));
    if (unbounded || bounded) {
      if (lastClosedGroupRepeats) shape.nestedQuantifier = true;
      if (unbounded) shape.unbounded++;
      for (const g of groups) g.repeats = true;
      if (c === "{") i = pattern.indexOf("}", i);
      if (pattern[i + 1] === "?") i++; // lazy quantifier
      lastClosedGroupRepeats = false;
      continue;
    }
    atom(false);
  }
  return shape;
}

/** Runs the pattern on adversarial strings in a context that can be interrupted, and refuses it if slow. */
function probe(pattern: string): void {
  const probes = ["a", "/", "0", "-", " ", "/a", "a/"].map((s) =>
    ("POST " + s.repeat(MAX_TARGET_LENGTH)).slice(0, MAX_TARGET_LENGTH),
  );
  try {
    vm.runInNewContext(
      "const re = new RegExp(pattern); for (const s of probes) { re.test(s); re.test(s + '!'); }",
      { pattern, probes },
      { timeout: PROBE_TIMEOUT_MS },
    );
  } catch {
    throw new PatternError(`[route] takes too long to match (over ${PROBE_TIMEOUT_MS} ms on a long path)`);
  }
}
