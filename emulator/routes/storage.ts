/** OpenStack/S3 users and their credentials and policies, and object storage buckets. */
import { randomBytes } from "crypto";
import { badRequest, conflict, notFound } from "../errors";
import {
  removeChildren,
  removeNow,
  bodyObject,
  create,
  defined,
  find,
  omit,
  requireFields,
  startDelete,
  statusOf,
  view,
  Reply,
  type Route,
  type RouteContext,
} from "./common";

const P = "/1.0/cloud/project/:sn";

const ROLES = [
  {
    id: "9fb4e6a1a7c2460f8e45bd4e8f0d1a01",
    name: "objectstore_operator",
    description: "Object Storage operator",
    permissions: ["objectstore:*"],
  },
  {
    id: "9fb4e6a1a7c2460f8e45bd4e8f0d1a02",
    name: "administrator",
    description: "Administrator",
    permissions: ["*"],
  },
  {
    id: "9fb4e6a1a7c2460f8e45bd4e8f0d1a03",
    name: "compute_operator",
    description: "Compute operator",
    permissions: ["compute:*"],
  },
];

function userView(ctx: RouteContext, id: string) {
  const u = find(ctx, "clouduser", id);
  const { password, ...rest } = view(u, {
    status: statusOf(ctx, u, { pending: "creating", ready: "ok", error: "error", deleting: "deleting" }),
  });
  void password;
  return rest;
}

function bucketView(ctx: RouteContext, region: string, name: string) {
  const b = find(ctx, "bucket", `${region}/${name}`, "name");
  // The lifecycle configuration is its own sub-resource (…/lifecycle), not a field of the bucket.
  const { region: r, ...rest } = omit(view(b), "lifecycle");
  return { ...rest, region: r, objectsCount: 0, objectsSize: 0, objects: [] };
}

const positiveInteger = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 1;

/**
 * The rules of a lifecycle PUT, checked as OVH does for the parts Majordome and the provider send: a non-empty
 * list, unique ids, `enabled`/`disabled`, and at least one action with whole, positive day counts.
 */
function lifecycleRules(body: Record<string, unknown>): Record<string, unknown>[] {
  const rules = body.rules;
  if (!Array.isArray(rules) || rules.length === 0) throw badRequest("[rules] must be a non-empty list");
  const ids = new Set<string>();
  return rules.map((rule: unknown, i) => {
    if (!rule || typeof rule !== "object" || Array.isArray(rule))
      throw badRequest(`[rules.${i}] must be an object`);
    const r = rule as Record<string, unknown>;
    if (r.status !== "enabled" && r.status !== "disabled")
      throw badRequest(`[rules.${i}.status] must be "enabled" or "disabled"`);
    if (r.id !== undefined) {
      if (typeof r.id !== "string" || !r.id) throw badRequest(`[rules.${i}.id] must be a non-empty string`);
      if (ids.has(r.id)) throw badRequest(`[rules.${i}.id] "${r.id}" is used by another rule`);
      ids.add(r.id);
    }
    const expiration = r.expiration as Record<string, unknown> | undefined;
    const noncurrent = r.noncurrentVersionExpiration as Record<string, unknown> | undefined;
    const abort = r.abortIncompleteMultipartUpload as Record<string, unknown> | undefined;
    if (expiration?.days !== undefined && !positiveInteger(expiration.days))
      throw badRequest(`[rules.${i}.expiration.days] must be a whole number ≥ 1`);
    if (noncurrent?.noncurrentDays !== undefined && !positiveInteger(noncurrent.noncurrentDays))
      throw badRequest(`[rules.${i}.noncurrentVersionExpiration.noncurrentDays] must be a whole number ≥ 1`);
    if (!expiration && !noncurrent && !abort && !r.transitions && !r.noncurrentVersionTransitions)
      throw badRequest(`[rules.${i}] has no action`);
    return defined({ ...r });
  });
}

/** Storage routes. */
export const storageRoutes: Route[] = [
  { method: "GET", path: `${P}/role`, handler: () => ({ roles: ROLES, services: [] }) },
  {
    method: "POST",
    path: `${P}/user`,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      const names = [
        ...((body.roles as string[] | undefined) ?? []),
        ...(body.role ? [String(body.role)] : []),
      ];
      const roles = names.map(
        (n) =>
          ROLES.find((r) => r.name === n) ??
          (() => {
            throw badRequest(`role "${n}" does not exist`);
          })(),
      );
      const id = ctx.store.next("clouduser", 100000);
      const password = randomBytes(16).toString("base64url");
      create(ctx, "clouduser", String(id), {
        id,
        username: `user-${randomBytes(6).toString("hex")}`,
        password,
        description: body.description ?? "",
        creationDate: new Date(ctx.now).toISOString(),
        roles,
      });
      return { ...userView(ctx, String(id)), password };
    },
  },
  { method: "GET", path: `${P}/user/:id`, handler: (ctx) => userView(ctx, ctx.params.id) },
  {
    method: "GET",
    path: `${P}/user/:id/openrc`,
    handler: (ctx) => {
      const u = find(ctx, "clouduser", ctx.params.id);
      const tenant = ctx.params.sn;
      return {
        content: `export OS_AUTH_URL=https://auth.cloud.ovh.net/v3\nexport OS_TENANT_ID=${tenant}\nexport OS_TENANT_NAME=${tenant}\nexport OS_USERNAME=${String(u.username).replace(/-/g, "")}\nexport OS_REGION_NAME=${ctx.query.get("region") ?? "GRA"}\n`,
      };
    },
  },
  {
    method: "POST",
    path: `${P}/user/:id/regeneratePassword`,
    handler: (ctx) => {
      const u = find(ctx, "clouduser", ctx.params.id);
      u.password = randomBytes(16).toString("base64url");
      return { ...userView(ctx, ctx.params.id), password: u.password };
    },
  },
  {
    method: "PUT",
    path: `${P}/user/:id/role`,
    handler: (ctx) => {
      const u = find(ctx, "clouduser", ctx.params.id);
      const { rolesIds } = bodyObject(ctx) as { rolesIds?: string[] };
      u.roles = (rolesIds ?? []).map(
        (rid) =>
          ROLES.find((r) => r.id === rid) ??
          (() => {
            throw notFound("roleId", rid);
          })(),
      );
      return userView(ctx, ctx.params.id);
    },
  },
  {
    method: "DELETE",
    path: `${P}/user/:id`,
    handler: (ctx) => {
      startDelete(ctx, "clouduser", ctx.params.id);
      removeChildren(ctx, "s3credential", "userId", ctx.params.id, "access");
      return null;
    },
  },
  {
    method: "POST",
    path: `${P}/user/:id/s3Credentials`,
    handler: (ctx) => {
      find(ctx, "clouduser", ctx.params.id);
      const access = randomBytes(16).toString("hex");
      const secret = randomBytes(16).toString("hex");
      ctx.store.put("s3credential", access, {
        access,
        secret,
        tenantId: ctx.params.sn,
        userId: ctx.params.id,
        _meta: { kind: "s3credential", createdAt: ctx.now, readyAt: ctx.now },
      });
      return { access, secret, tenantId: ctx.params.sn, userId: ctx.params.id };
    },
  },
  {
    method: "GET",
    path: `${P}/user/:id/s3Credentials`,
    handler: (ctx) =>
      ctx.store
        .all("s3credential")
        .filter((c) => c.userId === ctx.params.id)
        .map((c) => ({ access: c.access, tenantId: c.tenantId, userId: c.userId })),
  },
  {
    method: "POST",
    path: `${P}/user/:id/s3Credentials/:access/secret`,
    handler: (ctx) => {
      const c = find(ctx, "s3credential", ctx.params.access, "access");
      if (c.userId !== ctx.params.id) throw notFound("access", ctx.params.access);
      return { secret: c.secret };
    },
  },
  {
    method: "DELETE",
    path: `${P}/user/:id/s3Credentials/:access`,
    handler: (ctx) => removeNow(ctx, "s3credential", ctx.params.access, "access"),
  },
  {
    method: "POST",
    path: `${P}/user/:id/policy`,
    handler: (ctx) => {
      const u = find(ctx, "clouduser", ctx.params.id);
      const { policy } = bodyObject(ctx) as { policy?: string };
      if (typeof policy !== "string") throw badRequest("[policy] must be a JSON string");
      try {
        JSON.parse(policy);
      } catch {
        throw badRequest("[policy] is not valid JSON");
      }
      u.policy = policy;
      return null;
    },
  },
  {
    method: "GET",
    path: `${P}/user/:id/policy`,
    handler: (ctx) => ({ policy: find(ctx, "clouduser", ctx.params.id).policy ?? '{"Statement":[]}' }),
  },
  {
    method: "POST",
    path: `${P}/region/:region/storage`,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      requireFields(body, "name");
      const key = `${ctx.params.region}/${String(body.name)}`;
      if (ctx.store.get("bucket", key)) throw conflict(`Bucket ${String(body.name)} already exists`);
      if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(String(body.name)))
        throw badRequest(`invalid bucket name ${String(body.name)}`);
      const o = create(
        ctx,
        "bucket",
        key,
        defined({
          name: body.name,
          region: ctx.params.region,
          createdAt: new Date(ctx.now).toISOString(),
          ownerId: body.ownerId ?? 0,
          virtualHost: `https://${String(body.name)}.s3.${ctx.params.region.toLowerCase()}.io.cloud.ovh.net/`,
          encryption: body.encryption ?? { sseAlgorithm: "plaintext" },
          versioning: body.versioning ?? { status: "disabled" },
          objectLock: body.objectLock ?? { status: "disabled" },
          replication: body.replication ?? { rules: [] },
          tags: body.tags ?? {},
        }),
      );
      return { ...view(o), objectsCount: 0, objectsSize: 0, objects: [] };
    },
  },
  {
    method: "GET",
    path: `${P}/region/:region/storage/:name`,
    handler: (ctx) => bucketView(ctx, ctx.params.region, ctx.params.name),
  },
  {
    method: "PUT",
    path: `${P}/region/:region/storage/:name`,
    handler: (ctx) => {
      const b = find(ctx, "bucket", `${ctx.params.region}/${ctx.params.name}`, "name");
      const body = bodyObject(ctx);
      for (const k of ["encryption", "tags", "objectLock", "replication", "versioning"])
        if (body[k] !== undefined && body[k] !== null) b[k] = body[k];
      return null;
    },
  },
  {
    method: "PUT",
    path: `${P}/region/:region/storage/:name/lifecycle`,
    handler: (ctx) => {
      const b = find(ctx, "bucket", `${ctx.params.region}/${ctx.params.name}`, "name");
      b.lifecycle = { rules: lifecycleRules(bodyObject(ctx)) };
      return b.lifecycle;
    },
  },
  {
    method: "GET",
    path: `${P}/region/:region/storage/:name/lifecycle`,
    handler: (ctx) => {
      const b = find(ctx, "bucket", `${ctx.params.region}/${ctx.params.name}`, "name");
      if (!b.lifecycle) throw notFound("lifecycle", `${ctx.params.region}/${ctx.params.name}`);
      return b.lifecycle;
    },
  },
  {
    method: "DELETE",
    path: `${P}/region/:region/storage/:name/lifecycle`,
    handler: (ctx) => {
      const b = find(ctx, "bucket", `${ctx.params.region}/${ctx.params.name}`, "name");
      if (!b.lifecycle) throw notFound("lifecycle", `${ctx.params.region}/${ctx.params.name}`);
      delete b.lifecycle;
      return null;
    },
  },
  {
    method: "GET",
    path: `${P}/region/:region/storage/:name/object`,
    handler: (ctx) => (find(ctx, "bucket", `${ctx.params.region}/${ctx.params.name}`, "name"), []),
  },
  {
    method: "POST",
    path: `${P}/region/:region/storage/:name/bulkDeleteObjects`,
    handler: () => new Reply(200, null),
  },
  {
    method: "DELETE",
    path: `${P}/region/:region/storage/:name`,
    handler: (ctx) => removeNow(ctx, "bucket", `${ctx.params.region}/${ctx.params.name}`, "name"),
  },
];
