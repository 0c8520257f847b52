/** Shell quoting: the one way a value from a blueprint or a user reaches a POSIX shell. */

/** Quotes a value for POSIX sh: the result is always one literal word. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'"'"'`)}'`;
}
