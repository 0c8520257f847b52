/** Shared helpers of the route handlers: the request context, lifecycles, operations, OVH-shaped ids. */
import { notFound, badRequest } from "../errors";
import { publicView, type Store, type StoredObject } from "../store";

/** What a handler receives. */
export interface RouteContext {
  readonly method: string;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  /** Parsed JSON body (undefined when empty). */
  readonly body: unknown;
  readonly store: Store;
  /** Current time (ms). */
  readonly now: number;
  /** How long asynchronous work takes (ms). */
  readonly delayMs: number;
  /** A fault says this request's asynchronous work must end in error. */
  readonly failTask: boolean;
}

/** A response other than 200 + JSON body. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body?: unknown,
  ) {}
}

/** A handler returns a JSON-able value (200), a Reply, or null (200 with an empty body). */
export type Handler = (ctx: RouteContext) => unknown;

/** A route: method, find-my-way pattern (`:param`), handler. */
export interface Route {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  readonly handler: Handler;
}

/** The body as an object, or a 400. */
export function bodyObject(ctx: RouteContext): Record<string, unknown> {
  if (ctx.body === null || typeof ctx.body !== "object" || Array.isArray(ctx.body))
    throw badRequest("Invalid JSON body: an object is expected");
  return ctx.body as Record<string, unknown>;
}

/** Requires string fields. */
export function requireFields(body: Record<string, unknown>, ...fields: string[]): void {
  for (const f of fields)
    if (body[f] === undefined || body[f] === null || body[f] === "") throw badRequest(`[${f}] is required`);
}

/** Creates an object that becomes ready after the configured delay (or fails, under a fault). */
export function create(
  ctx: RouteContext,
  kind: string,
  id: string,
  fields: Record<string, unknown>,
): StoredObject {
  return ctx.store.put(kind, id, {
    ...fields,
    _meta: {
      kind,
      createdAt: ctx.now,
      readyAt: ctx.now + ctx.delayMs,
      ...(ctx.failTask ? { failed: true } : {}),
    },
  });
}

/** Finds an object or throws OVH's 404; objects whose deletion completed are removed on the way. */
export function find(ctx: RouteContext, kind: string, id: string, label = "id"): StoredObject {
  const o = ctx.store.get(kind, id);
  if (!o || (o._meta.deleteAt !== undefined && ctx.now >= o._meta.deleteAt)) {
    if (o) ctx.store.remove(kind, id);
    throw notFound(label, id);
  }
  return o;
}

/** The status an object shows now: failed, pending, deleting, or ready. */
export function statusOf(
  ctx: RouteContext,
  o: StoredObject,
  words: { pending: string; ready: string; deleting?: string; error?: string },
): string {
  if (o._meta.deleteAt !== undefined) return words.deleting ?? "DELETING";
  if (o._meta.failed && ctx.now >= o._meta.readyAt) return words.error ?? "ERROR";
  return ctx.now < o._meta.readyAt ? (o._meta.pending ?? words.pending) : words.ready;
}

/** Starts asynchronous work on an existing object: it shows `pending` until the configured delay has passed. */
export function startWork(ctx: RouteContext, o: StoredObject, pending: string): void {
  o._meta.readyAt = ctx.now + ctx.delayMs;
  o._meta.pending = pending;
}

/** Starts deleting: immediate without delay, else the object answers "deleting" until it is gone. */
export function startDelete(ctx: RouteContext, kind: string, id: string): void {
  const o = find(ctx, kind, id);
  if (ctx.delayMs === 0) ctx.store.remove(kind, id);
  else o._meta.deleteAt = ctx.now + ctx.delayMs;
}

/** The API view of an object with a computed status field. */
export function view(o: StoredObject, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...publicView(o), ...extra };
}

/** Creates a Public Cloud operation (`/cloud/project/{sn}/operation/{id}`). */
export function operation(
  ctx: RouteContext,
  action: string,
  regions: string[],
  resourceId: string | null,
): Record<string, unknown> {
  const id = ctx.store.uuid();
  create(ctx, "operation", id, {
    id,
    action,
    createdAt: new Date(ctx.now).toISOString(),
    regions,
    resourceId,
    subOperations: resourceId ? [{ resourceId, action }] : [],
  });
  return operationView(ctx, find(ctx, "operation", id));
}

/** An operation as the API shows it now. */
export function operationView(ctx: RouteContext, o: StoredObject): Record<string, unknown> {
  const status = statusOf(ctx, o, { pending: "in-progress", ready: "completed", error: "in-error" });
  return {
    ...publicView(o),
    status,
    startedAt: new Date(o._meta.createdAt).toISOString(),
    completedAt:
      status === "completed" || status === "in-error" ? new Date(o._meta.readyAt).toISOString() : null,
    progress: status === "in-progress" ? 50 : 100,
  };
}

/** Strips keys whose value is undefined (echo exactly what was sent, nothing more). */
export function defined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** A v1 private network id: `pn-<vrack>_<vlan>`. */
export function privateNetworkId(store: Store, vlanId: number): string {
  return `pn-${store.next("vrack", 1000000)}_${vlanId}`;
}

/** A copy of `o` without `keys` (fields the API keeps to itself). */
export function omit(o: Record<string, unknown>, ...keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
}

/** Removes an object at once (404 when it does not exist) and answers an empty body. */
export function removeNow(ctx: RouteContext, kind: string, id: string, label = "id"): null {
  find(ctx, kind, id, label);
  ctx.store.remove(kind, id);
  return null;
}

/** Removes at once every object of `kind` whose `field` names the parent being deleted (cascading deletes). */
export function removeChildren(
  ctx: RouteContext,
  kind: string,
  field: string,
  parentId: string,
  idField = "id",
): void {
  for (const o of ctx.store.all(kind).filter((x) => x[field] === parentId))
    ctx.store.remove(kind, String(o[idField]));
}
