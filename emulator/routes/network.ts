/** vRack private networks, their subnets and gateways (v1), and Public Cloud operations. */
import { badRequest, conflict, notFound, OvhError } from "../errors";
import {
  removeNow,
  bodyObject,
  create,
  find,
  operation,
  operationView,
  privateNetworkId,
  requireFields,
  startDelete,
  startWork,
  statusOf,
  view,
  type Route,
  type RouteContext,
} from "./common";

const P = "/1.0/cloud/project/:sn";

function networkView(ctx: RouteContext, id: string) {
  const n = find(ctx, "network", id);
  const status = statusOf(ctx, n, { pending: "BUILDING", ready: "ACTIVE" });
  const regions = (n.regions as { region: string; openstackId: string }[]).map((r) => ({
    region: r.region,
    status: status === "DELETING" ? "DELETING" : status,
    openstackId: r.openstackId,
  }));
  return view(n, { status, regions });
}

/** Allocates the next address of a subnet's DHCP pool. */
export function allocateAddress(ctx: RouteContext, subnetId: string): string | undefined {
  const subnet = ctx.store.get("subnet", subnetId);
  if (!subnet) return undefined;
  const pool = (subnet.ipPools as { start: string }[])[0];
  const used = (subnet.allocated as number | undefined) ?? 0;
  subnet.allocated = used + 1;
  const parts = pool.start.split(".").map(Number);
  const n = ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) + used + 1;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
}

/** Network routes. */
export const networkRoutes: Route[] = [
  {
    method: "POST",
    path: `${P}/network/private`,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      requireFields(body, "name");
      const vlanId = Number(body.vlanId ?? 0);
      if (!Number.isInteger(vlanId) || vlanId < 0 || vlanId > 4000)
        throw badRequest("[vlanId] must be between 0 and 4000");
      if (
        ctx.store
          .all("network")
          .some(
            (n) => n.serviceName === ctx.params.sn && n.vlanId === vlanId && n._meta.deleteAt === undefined,
          )
      )
        throw conflict(`A private network with vlanId ${vlanId} already exists`);
      const id = privateNetworkId(ctx.store, vlanId);
      const regions = ((body.regions as string[] | undefined) ?? []).map((region) => ({
        region,
        openstackId: ctx.store.uuid(),
      }));
      create(ctx, "network", id, {
        id,
        serviceName: ctx.params.sn,
        name: body.name,
        vlanId,
        type: "private",
        regions,
      });
      return networkView(ctx, id);
    },
  },
  { method: "GET", path: `${P}/network/private/:id`, handler: (ctx) => networkView(ctx, ctx.params.id) },
  {
    method: "POST",
    path: `${P}/network/private/:id/region`,
    handler: (ctx) => {
      const n = find(ctx, "network", ctx.params.id);
      const { region } = bodyObject(ctx) as { region?: string };
      if (!region) throw badRequest("[region] is required");
      const regions = n.regions as { region: string; openstackId: string }[];
      if (regions.some((r) => r.region === region))
        throw new OvhError(400, `Region ${region} already activated`);
      regions.push({ region, openstackId: ctx.store.uuid() });
      startWork(ctx, n, "BUILDING");
      return networkView(ctx, ctx.params.id);
    },
  },
  {
    method: "DELETE",
    path: `${P}/region/:region/network/:osId`,
    handler: (ctx) => {
      const n = ctx.store
        .all("network")
        .find((x) => (x.regions as { openstackId: string }[]).some((r) => r.openstackId === ctx.params.osId));
      if (!n) throw notFound("networkId", ctx.params.osId);
      n.regions = (n.regions as { openstackId: string }[]).filter((r) => r.openstackId !== ctx.params.osId);
      return null;
    },
  },
  {
    method: "DELETE",
    path: `${P}/network/private/:id`,
    handler: (ctx) => {
      find(ctx, "network", ctx.params.id);
      if (ctx.store.all("subnet").some((s) => s.networkId === ctx.params.id))
        throw new OvhError(400, "The network still has subnets");
      startDelete(ctx, "network", ctx.params.id);
      return null;
    },
  },
  {
    method: "POST",
    path: `${P}/network/private/:id/subnet`,
    handler: (ctx) => {
      find(ctx, "network", ctx.params.id);
      const body = bodyObject(ctx);
      requireFields(body, "network", "start", "end", "region");
      const id = ctx.store.uuid();
      const gatewayIp = body.noGateway ? "" : String(body.network).replace(/\.\d+\/\d+$/, ".1");
      const o = create(ctx, "subnet", id, {
        id,
        networkId: ctx.params.id,
        cidr: body.network,
        gatewayIp,
        ipPools: [
          {
            network: body.network,
            region: body.region,
            dhcp: body.dhcp === true,
            start: body.start,
            end: body.end,
          },
        ],
      });
      return view(o, { allocated: undefined });
    },
  },
  {
    method: "GET",
    path: `${P}/network/private/:id/subnet`,
    handler: (ctx) => {
      find(ctx, "network", ctx.params.id);
      return ctx.store
        .all("subnet")
        .filter((s) => s.networkId === ctx.params.id)
        .map((s) => ({ id: s.id, cidr: s.cidr, gatewayIp: s.gatewayIp, ipPools: s.ipPools }));
    },
  },
  {
    method: "DELETE",
    path: `${P}/network/private/:id/subnet/:subnetId`,
    handler: (ctx) => removeNow(ctx, "subnet", ctx.params.subnetId),
  },
  {
    method: "POST",
    path: `${P}/region/:region/network/:networkId/subnet/:subnetId/gateway`,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      requireFields(body, "name", "model");
      const subnet = find(ctx, "subnet", ctx.params.subnetId);
      const id = ctx.store.uuid();
      // A region-API subnet with a gateway address gives it to its router interface, as OpenStack does.
      const ip =
        subnet.apiVersion === "region" && subnet.gatewayIp
          ? String(subnet.gatewayIp)
          : (allocateAddress(ctx, ctx.params.subnetId) ?? "");
      create(ctx, "gateway", id, {
        id,
        name: body.name,
        model: body.model,
        region: ctx.params.region,
        interfaces: [{ id: ctx.store.uuid(), ip, subnetId: subnet.id, networkId: ctx.params.networkId }],
        externalInformation: {
          networkId: ctx.store.uuid(),
          ips: [{ ip: `57.128.${ctx.store.next("gw-ip", 10) % 250}.1`, subnetId: ctx.store.uuid() }],
        },
      });
      return operation(ctx, "gateway#create", [ctx.params.region], id);
    },
  },
  {
    method: "GET",
    path: `${P}/region/:region/gateway/:id`,
    handler: (ctx) => {
      const g = find(ctx, "gateway", ctx.params.id);
      return view(g, {
        status: statusOf(ctx, g, {
          pending: "in-progress",
          ready: "active",
          error: "error",
          deleting: "deleting",
        }),
      });
    },
  },
  {
    method: "PUT",
    path: `${P}/region/:region/gateway/:id`,
    handler: (ctx) => {
      const g = find(ctx, "gateway", ctx.params.id);
      const body = bodyObject(ctx);
      if (body.name !== undefined) g.name = body.name;
      if (body.model !== undefined) g.model = body.model;
      return null;
    },
  },
  {
    method: "DELETE",
    path: `${P}/region/:region/gateway/:id`,
    handler: (ctx) => {
      startDelete(ctx, "gateway", ctx.params.id);
      return operation(ctx, "gateway#delete", [ctx.params.region], ctx.params.id);
    },
  },
  {
    method: "GET",
    path: `${P}/operation/:id`,
    handler: (ctx) => operationView(ctx, find(ctx, "operation", ctx.params.id)),
  },
];
