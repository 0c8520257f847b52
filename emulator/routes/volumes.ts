/**
 * Block-storage volumes, as `ovh.cloudproject.Volume` drives them: created and read under
 * `/region/{region}/volume`, but renamed, resized, attached, detached and deleted under `/volume/{id}`
 * (reference/ovh-api.md §11.5). Attachment is recorded on both sides — the volume's `attachedTo` and the
 * instance's `attachedVolumes` — and undone when either of them is deleted.
 */
import { badRequest, notFound } from "../errors";
import type { StoredObject } from "../store";
import {
  bodyObject,
  create,
  find,
  operation,
  startDelete,
  statusOf,
  view,
  type Route,
  type RouteContext,
} from "./common";

const P = "/1.0/cloud/project/:sn";
/** OVH's size bounds for one volume (GB). */
const MIN_SIZE = 1;
const MAX_SIZE = 12_000;

function attachedTo(v: StoredObject): string[] {
  return (v.attachedTo as string[] | undefined) ?? [];
}

function volumeView(ctx: RouteContext, v: StoredObject) {
  const status = attachedTo(v).length
    ? "in-use"
    : statusOf(ctx, v, { pending: "creating", ready: "available", error: "error", deleting: "deleting" });
  return view(v, { status });
}

/** The volume `id`, or OVH's 404; with `region`, it must be in that region too. */
function findVolume(ctx: RouteContext, id: string, region?: string): StoredObject {
  const v = find(ctx, "volume", id, "volumeId");
  if (region !== undefined && v.region !== region) throw notFound("volumeId", id);
  return v;
}

/** Records `volume` as attached to `instance` on both objects. */
function attach(ctx: RouteContext, volume: StoredObject, instanceId: unknown): void {
  if (typeof instanceId !== "string" || instanceId === "") throw badRequest("[instanceId] is required");
  const instance = find(ctx, "instance", instanceId, "instanceId");
  if (instance.region !== volume.region)
    throw badRequest(`volume and instance must be in the same region (${String(volume.region)})`);
  if (attachedTo(volume).length) throw badRequest(`volume ${String(volume.id)} is already attached`);
  volume.attachedTo = [instanceId];
  instance.attachedVolumes = [...((instance.attachedVolumes as { id: string }[]) ?? []), { id: volume.id }];
}

/** Detaches `volume` from every instance it is attached to (both sides). */
function detachVolume(ctx: RouteContext, volume: StoredObject): void {
  for (const instanceId of attachedTo(volume)) {
    const instance = ctx.store.get("instance", instanceId);
    if (instance)
      instance.attachedVolumes = ((instance.attachedVolumes as { id: string }[]) ?? []).filter(
        (a) => a.id !== volume.id,
      );
  }
  volume.attachedTo = [];
}

/** Detaches every volume attached to instance `instanceId` (when the instance is deleted). */
export function detachInstance(ctx: RouteContext, instanceId: string): void {
  for (const v of ctx.store.all("volume")) v.attachedTo = attachedTo(v).filter((i) => i !== instanceId);
}

function size(value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < MIN_SIZE || (value as number) > MAX_SIZE)
    throw badRequest(`[size] must be a whole number of GB between ${MIN_SIZE} and ${MAX_SIZE}`);
  return value as number;
}

function deleteVolume(ctx: RouteContext, v: StoredObject): null {
  // OVH detaches an attached volume being deleted; the provider deletes volumes without detaching first.
  detachVolume(ctx, v);
  startDelete(ctx, "volume", String(v.id));
  return null;
}

/** Volume routes. */
export const volumeRoutes: Route[] = [
  {
    method: "POST",
    path: `${P}/region/:region/volume`,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      const id = ctx.store.uuid();
      const v = create(ctx, "volume", id, {
        id,
        name: typeof body.name === "string" && body.name !== "" ? body.name : id,
        description: typeof body.description === "string" ? body.description : "",
        size: size(body.size),
        type: typeof body.type === "string" ? body.type : "classic",
        region: ctx.params.region,
        bootable: false,
        creationDate: new Date(ctx.now).toISOString(),
        attachedTo: [],
      });
      if (body.instanceId !== undefined && body.instanceId !== null) {
        try {
          attach(ctx, v, body.instanceId);
        } catch (e) {
          ctx.store.remove("volume", id); // a refused attachment creates nothing
          throw e;
        }
      }
      return operation(ctx, "volume#create", [ctx.params.region], id);
    },
  },
  {
    method: "GET",
    path: `${P}/region/:region/volume/:id`,
    handler: (ctx) => volumeView(ctx, findVolume(ctx, ctx.params.id, ctx.params.region)),
  },
  {
    method: "DELETE",
    path: `${P}/region/:region/volume/:id`,
    handler: (ctx) => deleteVolume(ctx, findVolume(ctx, ctx.params.id, ctx.params.region)),
  },
  {
    method: "GET",
    path: `${P}/volume/:id`,
    handler: (ctx) => volumeView(ctx, findVolume(ctx, ctx.params.id)),
  },
  {
    method: "PUT",
    path: `${P}/volume/:id`,
    handler: (ctx) => {
      const v = findVolume(ctx, ctx.params.id);
      const body = bodyObject(ctx);
      for (const field of ["name", "description"] as const) {
        if (body[field] === undefined || body[field] === null) continue;
        if (typeof body[field] !== "string") throw badRequest(`[${field}] must be a string`);
        v[field] = body[field];
      }
      return volumeView(ctx, v);
    },
  },
  {
    method: "POST",
    path: `${P}/volume/:id/upsize`,
    handler: (ctx) => {
      const v = findVolume(ctx, ctx.params.id);
      const wanted = size(bodyObject(ctx).size);
      if (wanted <= Number(v.size))
        throw badRequest(`[size] must be greater than the current size (${String(v.size)})`);
      v.size = wanted;
      return volumeView(ctx, v);
    },
  },
  {
    method: "POST",
    path: `${P}/volume/:id/attach`,
    handler: (ctx) => {
      const v = findVolume(ctx, ctx.params.id);
      attach(ctx, v, bodyObject(ctx).instanceId);
      return volumeView(ctx, v);
    },
  },
  {
    method: "POST",
    path: `${P}/volume/:id/detach`,
    handler: (ctx) => {
      const v = findVolume(ctx, ctx.params.id);
      const { instanceId } = bodyObject(ctx);
      if (typeof instanceId !== "string" || !attachedTo(v).includes(instanceId))
        throw badRequest(`volume ${ctx.params.id} is not attached to instance ${String(instanceId)}`);
      detachVolume(ctx, v);
      return volumeView(ctx, v);
    },
  },
  {
    method: "DELETE",
    path: `${P}/volume/:id`,
    handler: (ctx) => deleteVolume(ctx, findVolume(ctx, ctx.params.id)),
  },
];
