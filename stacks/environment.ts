/**
 * The Environment component: composes the OVHcloud and host components from one normalised blueprint.
 * Pure mapping (no file or config access), so it is tested under mocks with fixture blueprints.
 */
import * as ovh from "@ovhcloud/pulumi-ovh";
import * as pulumi from "@pulumi/pulumi";
import type { Catalog } from "../blueprints/lib/catalog";
import type { ResolvedEnvironment } from "../blueprints/lib/model";
import { HostGroup } from "../components/host/hostGroup";
import {
  DnsRecords,
  KubernetesCluster,
  LoadBalancer,
  ManagedDatabase,
  ObjectStorage,
  PrivateNetwork,
  renderUserData,
  ServerGroup,
  type DnsRecordArgs,
} from "../components/ovh";
import { OvhLookups } from "./lookups";

/** Arguments of {@link Environment}. */
export interface EnvironmentArgs {
  /** The normalised blueprint. */
  readonly env: ResolvedEnvironment;
  readonly catalog: Catalog;
  /** The OVH Public Cloud project id; required when the environment has an OVH target. */
  readonly serviceName?: pulumi.Input<string>;
  /** Private keys of SSH-reached hosts, by `keySecret` name (from stack secrets). */
  readonly hostKeys?: Readonly<Record<string, pulumi.Input<string>>>;
}

/** The non-secret inventory that reports and the run team read. */
export type Inventory = pulumi.Output<unknown>;

/** Builds one client environment. */
export class Environment extends pulumi.ComponentResource {
  /** What was built, where to reach it, and where its secrets are (names, never values). */
  readonly inventory: Inventory;
  /** Secret values (kubeconfig, database passwords, S3 secret keys), as one secret output. */
  readonly secrets: pulumi.Output<unknown>;

  constructor(name: string, args: EnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("majordome:index:Environment", name, {}, opts);
    const { env, catalog } = args;
    const parent = { parent: this };
    const inventory: Record<string, pulumi.Input<unknown>> = {
      client: env.client,
      environment: env.environment,
      tier: env.tier,
      labels: env.labels,
    };
    const secrets: Record<string, pulumi.Input<unknown>> = {};
    const secretIndex: string[] = [];

    if (env.target) {
      if (args.serviceName === undefined)
        throw new pulumi.RunError(
          `${env.stackName}: the OVH project id is missing; set it with \`pulumi config set majordome:ovhProjectId <id>\``,
        );
      const serviceName = args.serviceName;
      const lookups = new OvhLookups(serviceName, parent);
      const labels = env.labels;

      // Network first: everything private hangs off it.
      const network = env.network
        ? new PrivateNetwork(
            env.network.resourceName,
            {
              serviceName,
              labels,
              vlanId: env.network.vlanId,
              cidr: env.network.cidr,
              subnets: env.network.subnets.map((s) => ({ key: s.name, region: s.region, cidr: s.cidr })),
              ...(env.network.gateway?.enabled ? { gateway: { model: env.network.gateway.model } } : {}),
            },
            parent,
          )
        : undefined;
      const placement = (region: string) =>
        network && network.subnets[region]
          ? {
              networkId: network.openstackIds.apply((ids) => ids[region]),
              subnetId: network.subnets[region].id,
            }
          : undefined;
      if (network && env.network) {
        inventory.network = {
          id: network.network.id,
          cidr: env.network.cidr,
          vlanId: env.network.vlanId,
          subnets: Object.fromEntries(env.network.subnets.map((s) => [s.region, s.cidr])),
        };
      }

      // One project SSH key for the image's default user: the first run-team member's. Everyone else gets an
      // account from the operations baseline.
      const members = env.operations.runTeamAccess.members;
      const sshKey = members.length
        ? new ovh.CloudProjectSshKey(
            `${env.stackName}-runteam`,
            { serviceName, name: `${env.stackName}-runteam`, publicKey: members[0].sshPublicKey },
            parent,
          )
        : undefined;
      const userData = (extra?: string) =>
        renderUserData(
          {
            runTeam: members,
            sudo: env.operations.runTeamAccess.sudo,
            securityUpdates: env.operations.securityUpdates,
            monitoring: env.operations.monitoring,
            logForwarding: env.operations.logForwarding,
            labels,
          },
          extra,
        );

      const groups: Record<string, ServerGroup> = {};
      for (const s of env.servers) {
        const net = placement(s.region);
        groups[s.name] = new ServerGroup(
          s.resourceName,
          {
            serviceName,
            labels,
            region: s.region,
            count: s.count,
            flavorId: lookups.flavorId(s.region, s.flavor),
            imageId: lookups.imageId(s.region, s.image),
            ...(sshKey ? { sshKeyName: sshKey.name } : {}),
            ...(net ? { privateNetwork: net } : {}),
            public: s.public,
            userData: userData(s.userData),
            volumes: (s.volumes ?? []).map((v) => ({ key: v.name, sizeGb: v.sizeGb, type: v.type })),
            ...(env.operations.backups.enabled
              ? {
                  backup: {
                    cron: env.operations.backups.schedule,
                    rotation: env.operations.backups.retentionDays,
                  },
                }
              : {}),
            protectStateful: env.protectStateful,
          },
          parent,
        );
      }
      inventory.servers = Object.fromEntries(
        env.servers.map((s) => [
          s.name,
          {
            count: s.count,
            flavor: s.flavor,
            image: s.image,
            region: s.region,
            public: s.public,
            role: s.role ?? null,
            addresses: groups[s.name].addresses,
          },
        ]),
      );

      let kube: KubernetesCluster | undefined;
      if (env.kubernetes) {
        const k = env.kubernetes;
        const net = placement(k.region);
        kube = new KubernetesCluster(
          k.resourceName,
          {
            serviceName,
            labels,
            region: k.region,
            version: k.version,
            ...(net ? { privateNetwork: net } : {}),
            nodePools: k.nodePools.map((p) => ({
              key: p.name,
              flavor: p.flavor,
              ...(p.size !== undefined ? { size: p.size } : {}),
              ...(p.autoscale ? { autoscale: p.autoscale } : {}),
            })),
          },
          parent,
        );
        inventory.kubernetes = {
          name: k.resourceName,
          version: k.version,
          region: k.region,
          url: kube.url,
          nodePools: Object.fromEntries(k.nodePools.map((p) => [p.name, p.autoscale ?? { size: p.size }])),
        };
        secrets.kubeconfig = kube.kubeconfig;
        secretIndex.push("kubeconfig");
      }

      const dbInventory: Record<string, unknown> = {};
      for (const db of env.databases) {
        const kubeSubnet =
          db.allowFrom.kubernetes && env.kubernetes
            ? env.network?.subnets.find((s) => s.region === env.kubernetes?.region)?.cidr
            : undefined;
        const allowed = pulumi
          .all(
            db.allowFrom.serverGroups.map((g) =>
              groups[g].instances.length ? groups[g].addresses : pulumi.output([] as string[]),
            ),
          )
          .apply((lists) => [
            ...new Set([
              ...lists.flat().map((ip) => `${ip}/32`),
              ...db.allowFrom.cidrs,
              ...(kubeSubnet ? [kubeSubnet] : []),
            ]),
          ]);
        const net = placement(db.region);
        const managed = new ManagedDatabase(
          db.resourceName,
          {
            serviceName,
            labels,
            engine: db.engine,
            version: db.version,
            plan: db.plan,
            flavor: db.flavor,
            nodeCount: catalog.databases.plans[db.plan].nodes,
            diskGb: db.diskGb,
            region: db.region,
            ...(net ? { privateNetwork: net } : {}),
            users: db.users,
            databases: db.databases,
            allowedCidrs: allowed,
            protectStateful: env.protectStateful,
          },
          parent,
        );
        dbInventory[db.name] = {
          engine: db.engine,
          version: db.version,
          plan: db.plan,
          host: managed.host,
          port: managed.port,
          users: db.users.map((u) => u.name),
          databases: db.databases,
          allowedFrom: allowed,
        };
        secrets[`database.${db.name}.passwords`] = managed.passwords;
        secretIndex.push(`database.${db.name}.passwords`);
      }
      if (env.databases.length) inventory.databases = dbInventory;

      if (env.buckets.length) {
        const storage = new ObjectStorage(
          `${env.stackName}-storage`,
          {
            serviceName,
            labels,
            protectStateful: env.protectStateful,
            buckets: env.buckets.map((b) => ({
              key: b.name,
              bucketName: b.resourceName,
              region: b.region,
              versioning: b.versioning,
              ...(b.lifecycle ? { lifecycle: b.lifecycle } : {}),
              access: (b.access ?? []).map((a) => ({ user: a.name, level: a.level })),
            })),
          },
          parent,
        );
        inventory.buckets = Object.fromEntries(
          env.buckets.map((b) => [
            b.name,
            {
              name: b.resourceName,
              region: b.region,
              versioning: b.versioning,
              endpoint: storage.endpoints.apply((e) => e[b.name]),
              access: b.access ?? [],
            },
          ]),
        );
        inventory.s3Users = storage.accessKeyIds;
        secrets.s3 = pulumi.secret(
          pulumi
            .all(
              Object.entries(storage.credentials).map(([u, c]) =>
                c.secretAccessKey.apply((s) => [u, s] as const),
              ),
            )
            .apply((p) => Object.fromEntries(p)),
        );
        secretIndex.push("s3");
      }

      const lbs: Record<string, LoadBalancer> = {};
      for (const lb of env.loadBalancers) {
        const net = placement(lb.region);
        if (!net)
          throw new pulumi.RunError(`load balancer "${lb.name}" needs a network subnet in ${lb.region}`);
        lbs[lb.name] = new LoadBalancer(
          lb.resourceName,
          {
            serviceName,
            labels,
            region: lb.region,
            flavorId: lookups.loadBalancerFlavorId(lb.region, lb.size),
            privateNetwork: net,
            listeners: lb.listeners.map((l) => ({
              key: l.name,
              port: l.port,
              protocol: l.protocol,
              pool: l.pool,
            })),
            pools: lb.pools.map((p) => ({
              key: p.name,
              port: p.port,
              protocol: p.protocol,
              algorithm: p.algorithm,
              ...(p.healthCheckPath ? { healthCheckPath: p.healthCheckPath } : {}),
              members: groups[p.serverGroup].privateAddresses,
            })),
          },
          parent,
        );
      }
      if (env.loadBalancers.length) {
        inventory.loadBalancers = Object.fromEntries(
          env.loadBalancers.map((lb) => [
            lb.name,
            {
              address: lbs[lb.name].publicAddress,
              listeners: lb.listeners.map((l) => `${l.protocol}/${l.port} → ${l.pool}`),
            },
          ]),
        );
      }

      if (env.dns) {
        const zone = env.dns.zone;
        const records: DnsRecordArgs[] = env.dns.records.map((r) => ({
          name: r.name,
          type: r.type,
          ttl: r.ttl,
          target: r.loadBalancer
            ? lbs[r.loadBalancer].publicAddress
            : r.server
              ? groups[r.server].publicAddresses.apply((a) => a[0] ?? "")
              : (r.value as string),
        }));
        new DnsRecords(`${env.stackName}-dns`, { zone, records }, parent);
        inventory.dns = {
          zone,
          records: env.dns.records.map((r) => ({
            fqdn: r.name === "@" ? zone : `${r.name}.${zone}`,
            type: r.type,
            target: r.loadBalancer
              ? `loadBalancer:${r.loadBalancer}`
              : r.server
                ? `server:${r.server}`
                : r.value,
          })),
        };
      }
    }

    if (env.hosts.length) {
      const hosts = new HostGroup(
        `${env.stackName}-hosts`,
        {
          hosts: env.hosts.map((h) => ({
            key: h.name,
            address: h.address,
            port: h.port,
            user: h.user,
            privateKey: args.hostKeys?.[h.keySecret] ?? missingKey(env.stackName, h.name, h.keySecret),
            steps: h.allSteps,
          })),
          runTeam: env.operations.runTeamAccess.members,
          sudo: env.operations.runTeamAccess.sudo,
          labels: env.labels,
        },
        parent,
      );
      inventory.hosts = Object.fromEntries(
        env.hosts.map((h) => [
          h.name,
          {
            address: h.address,
            port: h.port,
            user: h.user,
            roles: h.roles ?? [],
            steps: hosts.stepNames[h.name],
          },
        ]),
      );
    }

    inventory.operations = {
      backups: env.operations.backups,
      monitoring: env.operations.monitoring,
      securityUpdates: env.operations.securityUpdates,
      logForwarding: env.operations.logForwarding,
      runTeamAccess: {
        members: env.operations.runTeamAccess.members.map((m) => m.name),
        sudo: env.operations.runTeamAccess.sudo,
      },
    };
    inventory.secrets = secretIndex.map((s) => `stack output "secrets" → ${s} (secret)`);
    this.inventory = pulumi.output(inventory) as pulumi.Output<unknown>;
    this.secrets = pulumi.secret(pulumi.output(secrets)) as pulumi.Output<unknown>;
    this.registerOutputs({ inventory: this.inventory, secrets: this.secrets });
  }
}

function missingKey(stack: string, host: string, secret: string): never {
  throw new pulumi.RunError(
    `host "${host}": no private key; set it with \`pulumi config set --secret --path 'majordome:hostKeys.${secret}' < key\` on stack ${stack}`,
  );
}
