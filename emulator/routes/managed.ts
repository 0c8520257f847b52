/** Managed Kubernetes (clusters, node pools, kubeconfig) and managed databases (clusters, users, databases). */
import { randomBytes } from "crypto";
import { zonesOf } from "../catalog";
import { badRequest, conflict, notFound } from "../errors";
import {
  removeChildren,
  omit,
  bodyObject,
  create,
  defined,
  find,
  requireFields,
  startDelete,
  startWork,
  statusOf,
  view,
  type Route,
  type RouteContext,
} from "./common";

const P = "/1.0/cloud/project/:sn";

function kubeView(ctx: RouteContext, id: string) {
  const k = find(ctx, "kube", id);
  return view(k, {
    status: statusOf(ctx, k, { pending: "INSTALLING", ready: "READY", error: "ERROR", deleting: "DELETING" }),
  });
}

function poolView(ctx: RouteContext, id: string) {
  const p = find(ctx, "nodepool", id);
  const status = statusOf(ctx, p, {
    pending: "INSTALLING",
    ready: "READY",
    error: "ERROR",
    deleting: "DELETING",
  });
  const n = status === "READY" ? Number(p.desiredNodes) : 0;
  return view(p, {
    status,
    sizeStatus: "CAPACITY_OK",
    currentNodes: n,
    availableNodes: n,
    upToDateNodes: n,
    updatedAt: new Date(p._meta.readyAt).toISOString(),
  });
}

function kubeconfig(k: Record<string, unknown>): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `- name: ${String(k.name)}`,
    "  cluster:",
    `    server: ${String(k.url)}`,
    `    certificate-authority-data: ${b64("emulated CA for " + String(k.id))}`,
    "users:",
    `- name: kubernetes-admin-${String(k.name)}`,
    "  user:",
    `    client-certificate-data: ${b64("emulated client certificate")}`,
    `    client-key-data: ${b64("emulated client key " + randomBytes(8).toString("hex"))}`,
    "contexts:",
    `- name: ${String(k.name)}`,
    "  context:",
    `    cluster: ${String(k.name)}`,
    `    user: kubernetes-admin-${String(k.name)}`,
    `current-context: ${String(k.name)}`,
    "",
  ].join("\n");
}

const DB = `${P}/database/:engine`;

function dbView(ctx: RouteContext, id: string) {
  const d = find(ctx, "database", id);
  const status = statusOf(ctx, d, {
    pending: "CREATING",
    ready: "READY",
    error: "ERROR",
    deleting: "DELETING",
  });
  const restrictions = ((d.ipRestrictions as { ip: string; description: string }[] | undefined) ?? []).map(
    (r) => ({ ...r, status: "READY" }),
  );
  return omit(view(d, { status, ipRestrictions: restrictions }), "nodes");
}

function user(ctx: RouteContext, clusterId: string, id: string) {
  const u = find(ctx, "dbuser", id);
  if (u.clusterId !== clusterId) throw notFound("userId", id);
  const {
    password,
    clusterId: c,
    ...rest
  } = view(u, {
    status: statusOf(ctx, u, { pending: "CREATING", ready: "READY", error: "ERROR", deleting: "DELETING" }),
  });
  void password;
  void c;
  return rest;
}

/** OVH's plans, and its refusal of private routing for a cluster off the private network. */
function checkKubeCreate(body: Record<string, unknown>): void {
  if (body.plan !== undefined && body.plan !== "free" && body.plan !== "standard")
    throw badRequest(`[plan] "${String(body.plan)}" is not one of free, standard`);
  const routing = body.privateNetworkConfiguration as
    { privateNetworkRoutingAsDefault?: unknown } | undefined;
  if (routing?.privateNetworkRoutingAsDefault === true && !body.privateNetworkId)
    throw badRequest("[privateNetworkConfiguration] needs [privateNetworkId]");
}

/** A pool in a multi-zone region names one of its zones; elsewhere it names none (OVH takes one zone per pool). */
function checkPoolZones(region: string, zones: unknown): void {
  const given = Array.isArray(zones) ? zones.map(String) : [];
  const known = zonesOf(region);
  if (known.length === 0 && given.length > 0)
    throw badRequest(`[availabilityZones] ${region} is a single-zone region`);
  if (known.length > 0 && given.length !== 1)
    throw badRequest(`[availabilityZones] one zone of ${known.join(", ")} is required in ${region}`);
  if (given.some((z) => !known.includes(z)))
    throw badRequest(`[availabilityZones] ${given.join(", ")} is not a zone of ${region}`);
}

/** Backups start at HH:MM:SS and go to the cluster's own region and at most one other. */
function checkDatabaseBackups(backups: unknown, region: string | undefined): void {
  if (backups === undefined || backups === null) return;
  const { time, regions } = backups as { time?: unknown; regions?: unknown };
  if (time !== undefined && !/^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/.test(String(time)))
    throw badRequest(`[backups.time] "${String(time)}" is not HH:MM:SS`);
  if (regions === undefined) return;
  const list = Array.isArray(regions) ? regions.map(String) : [];
  if (list.length === 0 || list.length > 2 || (region !== undefined && !list.includes(region)))
    throw badRequest("[backups.regions] must list the cluster's region and at most one other");
}

/** Kubernetes and database routes. */
export const managedRoutes: Route[] = [
  {
    method: "POST",
    path: `${P}/kube`,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      requireFields(body, "region");
      checkKubeCreate(body);
      const id = ctx.store.uuid();
      const version = String(body.version ?? "1.32");
      const name = String(body.name ?? id);
      create(ctx, "kube", id, {
        id,
        name,
        region: body.region,
        version: `${version}.4-1`,
        plan: body.plan ?? "free",
        updatePolicy: body.updatePolicy ?? "ALWAYS_UPDATE",
        url: `${id.slice(0, 6)}.c1.${String(body.region).toLowerCase()}.k8s.ovh.net`,
        nodesUrl: `${id.slice(0, 6)}.nodes.c1.${String(body.region).toLowerCase()}.k8s.ovh.net`,
        isUpToDate: true,
        controlPlaneIsUpToDate: true,
        nextUpgradeVersions: [],
        privateNetworkId: body.privateNetworkId ?? "",
        nodesSubnetId: body.nodesSubnetId ?? "",
        loadBalancersSubnetId: body.loadBalancersSubnetId ?? "",
        kubeProxyMode: body.kubeProxyMode ?? "iptables",
        customization: body.customization ?? {},
        ipAllocationPolicy: body.ipAllocationPolicy ?? {
          podsIpv4Cidr: "10.2.0.0/16",
          servicesIpv4Cidr: "10.3.0.0/16",
        },
        privateNetworkConfiguration: body.privateNetworkConfiguration ?? null,
      });
      return kubeView(ctx, id);
    },
  },
  { method: "GET", path: `${P}/kube/:id`, handler: (ctx) => kubeView(ctx, ctx.params.id) },
  {
    method: "PUT",
    path: `${P}/kube/:id`,
    handler: (ctx) => {
      const k = find(ctx, "kube", ctx.params.id);
      const { name } = bodyObject(ctx) as { name?: string };
      if (name) k.name = name;
      return null;
    },
  },
  ...["customization", "updatePolicy", "updateLoadBalancersSubnetId", "privateNetworkConfiguration"].map(
    (part): Route => ({
      method: "PUT",
      path: `${P}/kube/:id/${part}`,
      handler: (ctx) => {
        const k = find(ctx, "kube", ctx.params.id);
        const body = bodyObject(ctx);
        if (part === "updatePolicy") k.updatePolicy = body.updatePolicy;
        else if (part === "updateLoadBalancersSubnetId") k.loadBalancersSubnetId = body.loadBalancersSubnetId;
        else k[part] = body;
        // The provider polls these with UPDATING|REDEPLOYING|RESETTING as pending states.
        startWork(ctx, k, part === "customization" ? "UPDATING" : "REDEPLOYING");
        return null;
      },
    }),
  ),
  {
    method: "POST",
    path: `${P}/kube/:id/update`,
    handler: (ctx) => {
      const k = find(ctx, "kube", ctx.params.id);
      const [major, minor] = String(k.version).split(".").map(Number);
      k.version = `${major}.${minor + 1}.0-1`;
      startWork(ctx, k, "UPDATING");
      return null;
    },
  },
  {
    method: "POST",
    path: `${P}/kube/:id/kubeconfig`,
    handler: (ctx) => ({ content: kubeconfig(find(ctx, "kube", ctx.params.id)) }),
  },
  {
    method: "DELETE",
    path: `${P}/kube/:id`,
    handler: (ctx) => {
      startDelete(ctx, "kube", ctx.params.id);
      removeChildren(ctx, "nodepool", "kubeId", ctx.params.id);
      return null;
    },
  },
  {
    method: "POST",
    path: `${P}/kube/:kubeId/nodepool`,
    handler: (ctx) => {
      const kube = find(ctx, "kube", ctx.params.kubeId);
      const body = bodyObject(ctx);
      requireFields(body, "flavorName");
      checkPoolZones(String(kube.region), body.availabilityZones);
      if (typeof body.name === "string" && body.name.includes("_"))
        throw badRequest("[name] must not contain '_'");
      if (ctx.store.all("nodepool").some((p) => p.kubeId === ctx.params.kubeId && p.name === body.name))
        throw conflict(`node pool ${String(body.name)} already exists`);
      const id = ctx.store.uuid();
      create(ctx, "nodepool", id, {
        id,
        kubeId: ctx.params.kubeId,
        projectId: ctx.params.sn,
        name: body.name ?? id,
        flavor: body.flavorName,
        desiredNodes: body.desiredNodes ?? 1,
        minNodes: body.minNodes ?? 0,
        maxNodes: body.maxNodes ?? 100,
        autoscale: body.autoscale ?? false,
        antiAffinity: body.antiAffinity ?? false,
        monthlyBilled: body.monthlyBilled ?? false,
        availabilityZones: body.availabilityZones ?? [],
        autoscaling: body.autoscaling ?? {
          scaleDownUtilizationThreshold: 0.5,
          scaleDownUnneededTimeSeconds: 600,
          scaleDownUnreadyTimeSeconds: 1200,
        },
        ...(body.attachFloatingIps ? { attachFloatingIps: body.attachFloatingIps } : {}),
        ...(body.template ? { template: body.template } : {}),
        createdAt: new Date(ctx.now).toISOString(),
      });
      return poolView(ctx, id);
    },
  },
  { method: "GET", path: `${P}/kube/:kubeId/nodepool/:id`, handler: (ctx) => poolView(ctx, ctx.params.id) },
  {
    method: "PUT",
    path: `${P}/kube/:kubeId/nodepool/:id`,
    handler: (ctx) => {
      const p = find(ctx, "nodepool", ctx.params.id);
      const body = bodyObject(ctx);
      for (const k of [
        "desiredNodes",
        "minNodes",
        "maxNodes",
        "autoscale",
        "autoscaling",
        "template",
        "attachFloatingIps",
      ])
        if (body[k] !== undefined) p[k] = body[k];
      startWork(ctx, p, "UPDATING");
      return null;
    },
  },
  {
    method: "DELETE",
    path: `${P}/kube/:kubeId/nodepool/:id`,
    handler: (ctx) => {
      startDelete(ctx, "nodepool", ctx.params.id);
      return null;
    },
  },
  {
    method: "POST",
    path: DB,
    handler: (ctx) => {
      const body = bodyObject(ctx);
      requireFields(body, "plan", "version", "nodesPattern");
      checkDatabaseBackups(body.backups, (body.nodesPattern as { region?: string } | undefined)?.region);
      if (!["postgresql", "mysql"].includes(ctx.params.engine))
        throw badRequest(`engine ${ctx.params.engine} is not offered by the emulator`);
      const pattern = body.nodesPattern as { flavor: string; number: number; region: string };
      const id = ctx.store.uuid();
      const port = ctx.params.engine === "mysql" ? 20184 : 20184;
      create(
        ctx,
        "database",
        id,
        defined({
          id,
          engine: ctx.params.engine,
          description: body.description ?? "",
          plan: body.plan,
          flavor: pattern.flavor,
          version: body.version,
          nodeNumber: pattern.number,
          region: pattern.region,
          networkType: body.networkId ? "private" : "public",
          networkId: body.networkId ?? "",
          subnetId: body.subnetId ?? "",
          createdAt: new Date(ctx.now).toISOString(),
          maintenanceTime: body.maintenanceTime ?? "22:00:00",
          ipRestrictions: body.ipRestrictions ?? [],
          backups: {
            regions: [pattern.region],
            time: "03:00:00",
            ...((body.backups as object | undefined) ?? {}),
          },
          disk: { size: (body.disk as { size?: number } | undefined)?.size ?? 80, type: "high-speed" },
          deletionProtection: false,
          endpoints: [
            {
              component: ctx.params.engine,
              domain: `${ctx.params.engine}-${id.slice(0, 8)}.database.cloud.ovh.net`,
              path: "",
              port,
              scheme: ctx.params.engine === "mysql" ? "mysql" : "postgresql",
              ssl: true,
              sslMode: "require",
              uri: `${ctx.params.engine}://<username>:<password>@${ctx.params.engine}-${id.slice(0, 8)}.database.cloud.ovh.net:${port}/defaultdb?sslmode=require`,
            },
          ],
          advancedConfiguration: {},
          restApi: false,
          schemaRegistry: false,
          aclsEnabled: false,
          nodes: Array.from({ length: pattern.number }, () => ctx.store.uuid()),
        }),
      );
      return dbView(ctx, id);
    },
  },
  { method: "GET", path: `${DB}/:id`, handler: (ctx) => dbView(ctx, ctx.params.id) },
  {
    method: "PUT",
    path: `${DB}/:id`,
    handler: (ctx) => {
      const d = find(ctx, "database", ctx.params.id);
      const body = bodyObject(ctx);
      checkDatabaseBackups(body.backups, String(d.region));
      for (const k of [
        "description",
        "plan",
        "flavor",
        "version",
        "deletionProtection",
        "ipRestrictions",
        "backups",
        "maintenanceTime",
      ])
        if (body[k] !== undefined) d[k] = body[k];
      if ((body.disk as { size?: number } | undefined)?.size)
        d.disk = { ...(d.disk as object), size: (body.disk as { size: number }).size };
      startWork(ctx, d, "UPDATING");
      return null;
    },
  },
  {
    method: "DELETE",
    path: `${DB}/:id`,
    handler: (ctx) => {
      const d = find(ctx, "database", ctx.params.id);
      if (d.deletionProtection === true) throw badRequest("deletion protection is enabled on this cluster");
      startDelete(ctx, "database", ctx.params.id);
      for (const kind of ["dbuser", "dbdatabase"]) removeChildren(ctx, kind, "clusterId", ctx.params.id);
      return null;
    },
  },
  { method: "GET", path: `${DB}/:id/node`, handler: (ctx) => find(ctx, "database", ctx.params.id).nodes },
  {
    method: "GET",
    path: `${DB}/:id/node/:nodeId`,
    handler: (ctx) => {
      const d = find(ctx, "database", ctx.params.id);
      if (!(d.nodes as string[]).includes(ctx.params.nodeId)) throw notFound("nodeId", ctx.params.nodeId);
      return {
        id: ctx.params.nodeId,
        flavor: d.flavor,
        name: `node-${ctx.params.nodeId.slice(0, 8)}`,
        networkId: d.networkId,
        subnetId: d.subnetId,
        port: 20184,
        region: d.region,
        status: "READY",
        createdAt: d.createdAt,
      };
    },
  },
  {
    method: "GET",
    path: `${DB}/:id/advancedConfiguration`,
    handler: (ctx) => find(ctx, "database", ctx.params.id).advancedConfiguration,
  },
  {
    method: "PUT",
    path: `${DB}/:id/advancedConfiguration`,
    handler: (ctx) => {
      const d = find(ctx, "database", ctx.params.id);
      d.advancedConfiguration = Object.fromEntries(
        Object.entries(bodyObject(ctx)).map(([k, v]) => [k, String(v)]),
      );
      return d.advancedConfiguration;
    },
  },
  {
    method: "POST",
    path: `${DB}/:id/user`,
    handler: (ctx) => {
      find(ctx, "database", ctx.params.id);
      const body = bodyObject(ctx);
      requireFields(body, "name");
      if (ctx.store.all("dbuser").some((u) => u.clusterId === ctx.params.id && u.username === body.name))
        throw conflict(`user ${String(body.name)} already exists`);
      const id = ctx.store.uuid();
      const password = randomBytes(18).toString("base64url");
      create(
        ctx,
        "dbuser",
        id,
        defined({
          id,
          clusterId: ctx.params.id,
          username: body.name,
          createdAt: new Date(ctx.now).toISOString(),
          roles: ctx.params.engine === "postgresql" ? (body.roles ?? []) : undefined,
          password,
        }),
      );
      return { ...user(ctx, ctx.params.id, id), password };
    },
  },
  {
    method: "GET",
    path: `${DB}/:id/user`,
    handler: (ctx) =>
      ctx.store
        .all("dbuser")
        .filter((u) => u.clusterId === ctx.params.id)
        .map((u) => u.id),
  },
  {
    method: "GET",
    path: `${DB}/:id/user/:userId`,
    handler: (ctx) => user(ctx, ctx.params.id, ctx.params.userId),
  },
  {
    method: "PUT",
    path: `${DB}/:id/user/:userId`,
    handler: (ctx) => {
      const u = find(ctx, "dbuser", ctx.params.userId);
      const body = bodyObject(ctx);
      if (body.roles !== undefined) u.roles = body.roles;
      return null;
    },
  },
  {
    method: "POST",
    path: `${DB}/:id/user/:userId/credentials/reset`,
    handler: (ctx) => {
      const u = find(ctx, "dbuser", ctx.params.userId);
      u.password = randomBytes(18).toString("base64url");
      return { ...user(ctx, ctx.params.id, ctx.params.userId), password: u.password };
    },
  },
  {
    method: "DELETE",
    path: `${DB}/:id/user/:userId`,
    handler: (ctx) => {
      startDelete(ctx, "dbuser", ctx.params.userId);
      return null;
    },
  },
  {
    method: "POST",
    path: `${DB}/:id/database`,
    handler: (ctx) => {
      find(ctx, "database", ctx.params.id);
      const body = bodyObject(ctx);
      requireFields(body, "name");
      if (ctx.store.all("dbdatabase").some((d) => d.clusterId === ctx.params.id && d.name === body.name))
        throw conflict(`database ${String(body.name)} already exists`);
      const id = ctx.store.uuid();
      const o = ctx.store.put("dbdatabase", id, {
        id,
        clusterId: ctx.params.id,
        name: body.name,
        default: false,
        _meta: { kind: "dbdatabase", createdAt: ctx.now, readyAt: ctx.now },
      });
      return omit(view(o), "clusterId");
    },
  },
  {
    method: "GET",
    path: `${DB}/:id/database`,
    handler: (ctx) =>
      ctx.store
        .all("dbdatabase")
        .filter((d) => d.clusterId === ctx.params.id)
        .map((d) => d.id),
  },
  {
    method: "GET",
    path: `${DB}/:id/database/:dbId`,
    handler: (ctx) => omit(view(find(ctx, "dbdatabase", ctx.params.dbId)), "clusterId"),
  },
  {
    method: "DELETE",
    path: `${DB}/:id/database/:dbId`,
    handler: (ctx) => {
      find(ctx, "dbdatabase", ctx.params.dbId);
      // Deleted at once: the provider polls until 404 and would wait forever otherwise.
      ctx.store.remove("dbdatabase", ctx.params.dbId);
      return null;
    },
  },
];
