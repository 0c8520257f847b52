import { distance } from "fastest-levenshtein";

/**
 * Returns the candidate closest to `value` when it is close enough to be a likely typo, else undefined.
 * A wrong hint is worse than none, so the threshold is tight: at most max(2, length/3) edits.
 */
export function closestMatch(value: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(value.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(value.length / 3));
  return best !== undefined && bestDistance > 0 && bestDistance <= limit ? best : undefined;
}

/** A `did you mean` hint for `value`, or undefined. */
export function didYouMean(value: unknown, candidates: Iterable<string>): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = closestMatch(value, candidates);
  return match === undefined ? undefined : `did you mean "${match}"?`;
}
