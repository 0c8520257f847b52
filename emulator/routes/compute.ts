/** SSH keys, instances (v1, operation-based), backup workflows, and the flavor/image lookups. */
import { createHash } from "crypto";
import { flavors, images } from "../catalog";
import { conflict, notFound } from "../errors";
import {
  omit,
  removeNow,
  bodyObject,
  create,
  defined,
  find,
  operation,
  requireFields,
  statusOf,
  view,
  type Route,
  type RouteContext,
} from "./common";
import { allocateAddress } from "./network";
import { detachInstance } from "./volumes";

const P = "/1.0/cloud/project/:sn";

function instanceView(ctx: RouteContext, id: string) {
  const i = find(ctx, "instance", id);
  return view(i, {
    status: statusOf(ctx, i, { pending: "BUILD", ready: "ACTIVE", error: "ERROR", deleting: "DELETING" }),
    taskState: "",
  });
}

/** Compute routes. */
export const computeRoutes: Route[] = [
  {
    method: "POST",
    path: `${P}/sshkey`,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      requireFields(body, "name", "publicKey");
      if (ctx.store.all("sshkey").some((k) => k.serviceName === ctx.params.sn && k.name === body.name))
        throw conflict(`SSH key ${String(body.name)} already exists`);
      const id = Buffer.from(String(body.name)).toString("hex");
      const fingerPrint = createHash("md5")
        .update(String(body.publicKey))
        .digest("hex")
        .match(/../g)
        ?.join(":");
      return view(
        create(
          ctx,
          "sshkey",
          id,
          defined({
            id,
            serviceName: ctx.params.sn,
            name: body.name,
            publicKey: body.publicKey,
            fingerPrint,
            region: body.region ?? null,
            regions: body.region ? [body.region] : [],
          }),
        ),
      );
    },
  },
  { method: "GET", path: `${P}/sshkey/:id`, handler: (ctx) => view(find(ctx, "sshkey", ctx.params.id)) },
  {
    method: "DELETE",
    path: `${P}/sshkey/:id`,
    handler: (ctx) => removeNow(ctx, "sshkey", ctx.params.id),
  },
  { method: "GET", path: `${P}/flavor`, handler: (ctx) => flavors(ctx.query.get("region") ?? "GRA11") },
  {
    method: "GET",
    path: `${P}/image`,
    handler: (ctx) => {
      return images(ctx.query.get("region") ?? "GRA11");
    },
  },
  {
    method: "POST",
    path: `${P}/region/:region/instance`,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      requireFields(body, "name", "flavor", "bootFrom", "network");
      const flavorId = (body.flavor as { id?: string }).id ?? "";
      const flavor = flavors(ctx.params.region).find((f) => f.id === flavorId);
      if (!flavor) throw notFound("flavorId", flavorId);
      const sshKey = (body.sshKey as { name?: string } | undefined)?.name ?? null;
      if (sshKey && !ctx.store.all("sshkey").some((k) => k.name === sshKey)) throw notFound("sshKey", sshKey);
      const network = body.network as {
        public?: boolean;
        private?: { network?: { id?: string; subnetId?: string } };
      };
      const addresses: { ip: string; version: number }[] = [];
      const subnetId = network.private?.network?.subnetId;
      if (subnetId) {
        const ip = allocateAddress(ctx, subnetId);
        if (!ip) throw notFound("subnetId", subnetId);
        addresses.push({ ip, version: 4 });
      }
      if (network.public) {
        const n = ctx.store.next("public-ip", 0);
        addresses.push({ ip: `51.77.${Math.floor(n / 250) % 250}.${(n % 250) + 2}`, version: 4 });
      }
      const id = ctx.store.uuid();
      create(ctx, "instance", id, {
        id,
        serviceName: ctx.params.sn,
        name: body.name,
        region: ctx.params.region,
        flavorId,
        flavorName: flavor.name,
        imageId: (body.bootFrom as { imageId?: string }).imageId ?? null,
        availabilityZone: body.availabilityZone ?? null,
        sshKey,
        addresses,
        attachedVolumes: [],
        userData: body.userData ?? null,
      });
      return operation(ctx, "instance#create", [ctx.params.region], id);
    },
  },
  {
    method: "GET",
    path: `${P}/region/:region/instance/:id`,
    handler: (ctx) => omit(instanceView(ctx, ctx.params.id), "userData", "serviceName"),
  },
  {
    method: "DELETE",
    path: `${P}/instance/:id`,
    handler: (ctx) => {
      find(ctx, "instance", ctx.params.id);
      // OVH detaches the instance's volumes (they survive it, as "available").
      detachInstance(ctx, ctx.params.id);
      ctx.store.remove("instance", ctx.params.id);
      return null;
    },
  },
  {
    method: "POST",
    path: `${P}/region/:region/workflow/backup`,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      requireFields(body, "cron", "instanceId", "name", "rotation");
      find(ctx, "instance", String(body.instanceId), "instanceId");
      const id = ctx.store.uuid();
      return view(
        create(ctx, "backup", id, {
          id,
          name: body.name,
          cron: body.cron,
          instanceId: body.instanceId,
          backupName: body.name,
          rotation: body.rotation,
          createdAt: new Date(ctx.now).toISOString(),
        }),
      );
    },
  },
  {
    method: "GET",
    path: `${P}/region/:region/workflow/backup/:id`,
    handler: (ctx) => omit(view(find(ctx, "backup", ctx.params.id)), "rotation"),
  },
  {
    method: "DELETE",
    path: `${P}/region/:region/workflow/backup/:id`,
    handler: (ctx) => removeNow(ctx, "backup", ctx.params.id),
  },
];
