/**
 * Conversation fixtures: the ordered requests the official OVH provider sends for one resource kind (create,
 * polling until ready, read, update, delete), with what it reads from each answer. They are data, written from
 * reference/ovh-api.md, kept in tests/fixtures/conversations/<kind>.json.
 */
import * as fs from "fs";
import * as path from "path";

/**
 * A check on one field of an answer: a JSON literal (deep equality), or an object with one `$` key:
 * `$type` (string, integer, number, boolean, array, object, null, uuid, datetime), `$match` (regular expression
 * on a string), `$in` (one of the values), `$nonEmpty` (true), `$length` (array length), `$absent` (true).
 */
export type FieldCheck = unknown;

/** How the provider polls: the state is a field of the answer; 404 (and optionally 200) map to states. */
export interface Poll {
  /** Dotted path of the state field (absent when `on200` says what a 200 means). */
  readonly field?: string;
  readonly pending: readonly string[];
  readonly target: readonly string[];
  /** The state a 404 stands for (e.g. DELETED while deleting, PENDING for a logical database being created). */
  readonly on404?: string;
  /** The state any 200 stands for. */
  readonly on200?: string;
  /** Polls before giving up. @default 50 */
  readonly maxPolls?: number;
}

/** One request of a conversation. */
export interface Step {
  /** What the provider is doing (for messages). */
  readonly name: string;
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path after `/1.0`, with `{variables}` (`{sn}` is the project). */
  readonly path: string;
  /** JSON body; a string `"{var}"` is replaced by the captured value with its type, `{var}` inside by its text. */
  readonly body?: unknown;
  /** Expected status (of the last answer, when polling). @default 200 */
  readonly status?: number;
  /** Checks on fields (dotted paths; `[field=value]` selects a list element). */
  readonly expect?: Readonly<Record<string, FieldCheck>>;
  /** Variables to capture: name → dotted path in the answer. */
  readonly capture?: Readonly<Record<string, string>>;
  readonly poll?: Poll;
}

/** A conversation: one resource kind's life as the provider drives it. */
export interface Conversation {
  /** The Pulumi resource kind, e.g. `ovh.cloudproject.Volume`. */
  readonly kind: string;
  /** Where in the reference the sequence comes from. */
  readonly reference: string;
  /** Zones the emulator must own (DNS). */
  readonly zones?: readonly string[];
  readonly steps: readonly Step[];
}

const METHODS = new Set(["GET", "POST", "PUT", "DELETE"]);

/** Checks the shape of a parsed fixture; throws naming the file and step. */
export function checkConversation(value: unknown, file: string): Conversation {
  const fail = (msg: string): never => {
    throw new Error(`${file}: ${msg}`);
  };
  if (typeof value !== "object" || value === null) return fail("a conversation must be an object");
  const c = value as Partial<Conversation>;
  if (typeof c.kind !== "string" || typeof c.reference !== "string")
    fail("[kind] and [reference] are required");
  if (!Array.isArray(c.steps) || c.steps.length === 0) fail("[steps] must be a non-empty list");
  (c.steps as Step[]).forEach((s, i) => {
    if (typeof s.name !== "string" || !METHODS.has(s.method) || typeof s.path !== "string")
      fail(`steps[${i}] needs name, method (GET, POST, PUT, DELETE) and path`);
    if (s.poll && (!Array.isArray(s.poll.pending) || !Array.isArray(s.poll.target)))
      fail(`steps[${i}].poll needs pending and target lists`);
  });
  return c as Conversation;
}

/** Loads every `*.json` conversation of a folder, sorted by file name. */
export function loadConversations(dir: string): { file: string; conversation: Conversation }[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => ({
      file: f,
      conversation: checkConversation(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")), f),
    }));
}
