/** DNS zone records (seeded zones) and load balancers. */
import { badRequest, notFound } from "../errors";
import {
  omit,
  removeNow,
  bodyObject,
  create,
  defined,
  find,
  operation,
  requireFields,
  view,
  type Route,
  type RouteContext,
} from "./common";
import { loadBalancerFlavors } from "../catalog";

const P = "/1.0/cloud/project/:sn";

function zone(ctx: RouteContext, zones: readonly string[]): string {
  if (!zones.includes(ctx.params.zone)) throw notFound("zone", ctx.params.zone);
  return ctx.params.zone;
}

/** OVH stores TXT targets quoted, on create and on update alike. */
function storedTarget(type: string, target: unknown): string {
  const text = String(target);
  return type === "TXT" && !/^".*"$/.test(text) ? `"${text}"` : text;
}

function recordView(ctx: RouteContext, id: string) {
  const r = find(ctx, "record", id);
  if (r.zone !== ctx.params.zone) throw notFound("id", id);
  return view(r);
}

/** Edge routes; `zones` are the DNS zones the emulated account owns. */
export function edgeRoutes(zones: readonly string[]): Route[] {
  return [
    {
      method: "POST",
      path: "/1.0/domain/zone/:zone/record",
      handler: (ctx) => {
        zone(ctx, zones);
        const body = bodyObject(ctx);
        requireFields(body, "fieldType", "target");
        const ttl = Number(body.ttl ?? 0);
        if (!Number.isInteger(ttl) || (ttl !== 0 && ttl < 60))
          throw badRequest("[ttl] must be 0 or at least 60");
        const type = String(body.fieldType);
        const target = storedTarget(type, body.target);
        const id = ctx.store.next("record", 5000000000);
        return view(
          create(ctx, "record", String(id), {
            id,
            zone: ctx.params.zone,
            fieldType: type,
            subDomain: body.subDomain ?? "",
            target,
            ttl,
          }),
        );
      },
    },
    {
      method: "GET",
      path: "/1.0/domain/zone/:zone/record",
      handler: (ctx) => {
        zone(ctx, zones);
        const type = ctx.query.get("fieldType");
        const sub = ctx.query.get("subDomain");
        return ctx.store
          .all("record")
          .filter(
            (r) =>
              r.zone === ctx.params.zone &&
              (!type || r.fieldType === type) &&
              (sub === null || r.subDomain === sub),
          )
          .map((r) => r.id);
      },
    },
    {
      method: "GET",
      path: "/1.0/domain/zone/:zone/record/:id",
      handler: (ctx) => (zone(ctx, zones), recordView(ctx, ctx.params.id)),
    },
    {
      method: "PUT",
      path: "/1.0/domain/zone/:zone/record/:id",
      handler: (ctx) => {
        zone(ctx, zones);
        const r = find(ctx, "record", ctx.params.id);
        const body = bodyObject(ctx);
        if (body.subDomain !== undefined) r.subDomain = body.subDomain;
        if (body.ttl !== undefined) r.ttl = body.ttl;
        if (body.target !== undefined) r.target = storedTarget(String(r.fieldType), body.target);
        return null;
      },
    },
    {
      method: "DELETE",
      path: "/1.0/domain/zone/:zone/record/:id",
      handler: (ctx) => {
        zone(ctx, zones);
        return removeNow(ctx, "record", ctx.params.id);
      },
    },
    { method: "POST", path: "/1.0/domain/zone/:zone/refresh", handler: (ctx) => (zone(ctx, zones), null) },
    {
      method: "GET",
      path: `${P}/region/:region/loadbalancing/flavor`,
      handler: (ctx) => loadBalancerFlavors(ctx.params.region),
    },
    {
      method: "GET",
      path: `${P}/region/:region/loadbalancing/flavor/:id`,
      handler: (ctx) => {
        const flavor = loadBalancerFlavors(ctx.params.region).find((f) => f.id === ctx.params.id);
        if (!flavor) throw notFound("flavorId", ctx.params.id);
        return flavor;
      },
    },
    {
      method: "POST",
      path: `${P}/region/:region/loadbalancing/loadbalancer`,
      handler: (ctx) => {
        const body = bodyObject(ctx);
        requireFields(body, "flavorId", "network");
        const priv = (
          body.network as {
            private?: {
              network?: { id?: string; subnetId?: string };
              floatingIpCreate?: unknown;
              floatingIp?: { id: string };
            };
          }
        ).private;
        if (!priv?.network?.id || !priv.network.subnetId)
          throw badRequest("[network.private.network] with [id] and [subnetId] is required");
        const id = ctx.store.uuid();
        const n = ctx.store.next("lb-ip", 0);
        create(
          ctx,
          "loadbalancer",
          id,
          defined({
            id,
            name: body.name ?? id,
            description: body.description,
            flavorId: body.flavorId,
            region: ctx.params.region,
            vipAddress: `10.${200 + (n % 50)}.0.${10 + (n % 200)}`,
            vipNetworkId: priv.network.id,
            vipSubnetId: priv.network.subnetId,
            operatingStatus: "online",
            provisioningStatus: "active",
            floatingIp:
              priv.floatingIpCreate || priv.floatingIp
                ? {
                    id: priv.floatingIp?.id ?? ctx.store.uuid(),
                    ip: `141.95.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`,
                  }
                : undefined,
            listeners: body.listeners ?? [],
            createdAt: new Date(ctx.now).toISOString(),
            updatedAt: new Date(ctx.now).toISOString(),
          }),
        );
        return operation(ctx, "loadbalancer#create", [ctx.params.region], id);
      },
    },
    {
      method: "GET",
      path: `${P}/region/:region/loadbalancing/loadbalancer/:id`,
      handler: (ctx) => omit(view(find(ctx, "loadbalancer", ctx.params.id)), "listeners"),
    },
    {
      method: "PUT",
      path: `${P}/region/:region/loadbalancing/loadbalancer/:id`,
      handler: (ctx) => {
        const lb = find(ctx, "loadbalancer", ctx.params.id);
        const body = bodyObject(ctx);
        for (const k of ["name", "description", "flavorId"]) if (body[k] !== undefined) lb[k] = body[k];
        lb.updatedAt = new Date(ctx.now).toISOString();
        return null;
      },
    },
    {
      method: "DELETE",
      path: `${P}/region/:region/loadbalancing/loadbalancer/:id`,
      handler: (ctx) => removeNow(ctx, "loadbalancer", ctx.params.id),
    },
  ];
}
