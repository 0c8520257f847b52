/**
 * The emulator's own endpoints under `/_emulator/` (unsigned, loopback only): health, state, request counts,
 * reset, faults, and changes made "behind the toolkit's back" for drift rehearsals. Writes are checked whole
 * before anything changes: a request that is not well-formed gets a 400 and leaves the emulator as it was.
 */
import { OvhError } from "./errors";
import { FaultConfigError, type Faults } from "./faults";
import { clip, parseBody } from "./requestGuards";
import type { Store } from "./store";

/** What the inspection endpoints reach. */
export interface InspectContext {
  readonly store: Store;
  readonly faults: Faults;
  readonly requests: Map<string, number>;
  readonly endpoint: () => string;
}

/** An answer: status and JSON body. */
export interface InspectAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Kinds of objects the store holds (what `PATCH /_emulator/objects` may name). */
export const OBJECT_KINDS: ReadonlySet<string> = new Set([
  "sshkey",
  "network",
  "subnet",
  "gateway",
  "operation",
  "instance",
  "volume",
  "backup",
  "kube",
  "nodepool",
  "database",
  "dbuser",
  "dbdatabase",
  "clouduser",
  "s3credential",
  "bucket",
  "record",
  "loadbalancer",
]);
/** Field names a change may set: plain identifiers, never bookkeeping or inherited members. */
const FIELD = /^[A-Za-z][A-Za-z0-9]{0,63}$/;
const FORBIDDEN_FIELDS: ReadonlySet<string> = new Set([
  "_meta",
  ...Object.getOwnPropertyNames(Object.prototype),
  "prototype",
]);
const MAX_CHANGES = 1000;

/** One change of `PATCH /_emulator/objects`. */
interface Change {
  kind: string;
  id: string;
  set: Record<string, unknown>;
}

const bad = (message: string) => new OvhError(400, message, "INVALID_ARGUMENT");

/** Answers one inspection request. */
export function inspect(
  ctx: InspectContext,
  method: string,
  pathname: string,
  rawBody: string,
): InspectAnswer {
  try {
    return answer(ctx, method, pathname, rawBody);
  } catch (e) {
    if (e instanceof OvhError) return { status: e.status, body: e.body() };
    throw e;
  }
}

function answer(ctx: InspectContext, method: string, pathname: string, rawBody: string): InspectAnswer {
  const ok = (body: unknown): InspectAnswer => ({ status: 200, body });
  switch (`${method} ${pathname}`) {
    case "GET /_emulator/health":
      return ok({ ok: true, endpoint: ctx.endpoint(), objects: ctx.store.inventory().length });
    case "GET /_emulator/state":
      return ok(ctx.store.inventory().filter((o) => o.kind !== "operation"));
    case "GET /_emulator/requests":
      return ok(Object.fromEntries(ctx.requests));
    case "POST /_emulator/reset": {
      const body = parseBody(rawBody);
      if (body !== undefined && !(isObject(body) && Object.keys(body).length === 0))
        throw bad("reset takes no body (or {})");
      ctx.store.reset();
      ctx.requests.clear();
      return ok({ ok: true });
    }
    case "PUT /_emulator/faults": {
      const body = parseBody(rawBody);
      if (body === undefined)
        throw bad('faults must be JSON: {"seed":1,"rules":[{"route":"POST .*","errorRate":0.1}]}');
      try {
        ctx.faults.set(body);
      } catch (e) {
        if (e instanceof FaultConfigError) throw bad(`faults refused: ${e.message}`);
        throw e;
      }
      return ok(ctx.faults.current);
    }
    case "PATCH /_emulator/objects": {
      const changes = parseChanges(parseBody(rawBody));
      const targets = changes.map((c) => {
        const o = ctx.store.get(c.kind, c.id);
        if (!o) throw new OvhError(404, `no ${c.kind} with id ${clip(c.id)}`, "NOT_FOUND");
        return o;
      });
      // Every change was checked above; only now is anything written.
      changes.forEach((c, i) => {
        for (const [field, value] of Object.entries(c.set)) targets[i][field] = value;
      });
      ctx.store.save();
      return ok({ ok: true, changed: changes.length });
    }
    default:
      return { status: 404, body: { class: "Client::NotFound", message: "unknown emulator endpoint" } };
  }
}

/** Checks the body of `PATCH /_emulator/objects`: `[{kind, id, set: {field: value}}]`. */
function parseChanges(body: unknown): Change[] {
  const shape = 'changes must be a JSON list: [{"kind":"instance","id":"…","set":{"field":value}}]';
  if (!Array.isArray(body) || body.length === 0 || body.length > MAX_CHANGES) throw bad(shape);
  return body.map((c: unknown, i) => {
    if (!isObject(c)) throw bad(`changes[${i}] must be an object; ${shape}`);
    for (const key of Object.keys(c))
      if (key !== "kind" && key !== "id" && key !== "set") throw bad(`changes[${i}].${clip(key)} is unknown`);
    const { kind, id, set } = c as Record<string, unknown>;
    if (typeof kind !== "string" || !OBJECT_KINDS.has(kind))
      throw bad(`changes[${i}].kind must be one of ${[...OBJECT_KINDS].join(", ")}`);
    if (typeof id !== "string" || id.length === 0 || id.length > 256)
      throw bad(`changes[${i}].id must be a string`);
    if (!isObject(set) || Object.keys(set).length === 0)
      throw bad(`changes[${i}].set must be a non-empty object`);
    for (const field of Object.keys(set))
      if (!FIELD.test(field) || FORBIDDEN_FIELDS.has(field))
        throw bad(`changes[${i}].set.${clip(field)} is not a field that can be changed`);
    return { kind, id, set };
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
