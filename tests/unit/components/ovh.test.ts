/** Each OVHcloud component under mocks: the exact children, their key inputs, and optional children switched off. */
import {
  DnsRecords,
  KubernetesCluster,
  LoadBalancer,
  ManagedDatabase,
  ObjectStorage,
  PrivateNetwork,
  ServerGroup,
  lifecycleRules,
  policyDocument,
  shortRegion,
} from "../../../components/ovh";
import { children, underMocks } from "../../helpers/mockPulumi";

const sn = "0123456789abcdef0123456789abcdef";

describe("PrivateNetwork", () => {
  it("creates a network, one subnet per region and a gateway in the first region", async () => {
    const rs = await underMocks(
      (opts) =>
        new PrivateNetwork(
          "net",
          {
            serviceName: sn,
            cidr: "10.1.0.0/16",
            vlanId: 7,
            subnets: [
              { key: "gra", region: "GRA11", cidr: "10.1.1.0/24" },
              { key: "sbg", region: "SBG5", cidr: "10.1.2.0/24" },
            ],
            gateway: { model: "s", region: "GRA11" },
          },
          opts,
        ),
    );
    expect(children(rs)).toEqual([
      ["ovh:CloudProject/networkPrivate:NetworkPrivate", "net"],
      ["ovh:CloudProject/networkPrivateSubnet:NetworkPrivateSubnet", "net-gra"],
      ["ovh:CloudProject/networkPrivateSubnet:NetworkPrivateSubnet", "net-sbg"],
      ["ovh:CloudProject/gateway:Gateway", "net-gateway"],
    ]);
    const net = rs.find((r) => r.name === "net" && r.type.startsWith("ovh:"))!;
    expect(net.inputs).toMatchObject({ name: "net", vlanId: 7, regions: ["GRA11", "SBG5"] });
    expect(rs.find((r) => r.name === "net-sbg")!.inputs).toMatchObject({
      region: "SBG5",
      network: "10.1.2.0/24",
      start: "10.1.2.2",
      end: "10.1.2.254",
      dhcp: true,
    });
    expect(rs.find((r) => r.name === "net-gateway")!.inputs).toMatchObject({ region: "GRA11", model: "s" });
  });

  it("uses a subnet's own DHCP pool when given one", async () => {
    const rs = await underMocks(
      (opts) =>
        new PrivateNetwork(
          "net",
          {
            serviceName: sn,
            cidr: "10.1.0.0/16",
            subnets: [
              {
                key: "gra",
                region: "GRA11",
                cidr: "10.1.1.0/24",
                dhcp: { start: "10.1.1.100", end: "10.1.1.199" },
              },
            ],
          },
          opts,
        ),
    );
    expect(rs.find((r) => r.name === "net-gra")!.inputs).toMatchObject({
      start: "10.1.1.100",
      end: "10.1.1.199",
    });
  });

  it("builds a v2 subnet only for a subnet with DNS servers or a gateway address, and puts the gateway on the pinned region's subnet", async () => {
    const rs = await underMocks(
      (opts) =>
        new PrivateNetwork(
          "net",
          {
            serviceName: sn,
            cidr: "10.1.0.0/16",
            subnets: [
              { key: "gra", region: "GRA11", cidr: "10.1.1.0/24" },
              {
                key: "sbg",
                region: "SBG5",
                cidr: "10.1.2.0/24",
                dhcp: { start: "10.1.2.10", end: "10.1.2.200" },
                dnsServers: ["10.1.2.53", "213.186.33.99"],
                gatewayAddress: "10.1.2.254",
              },
            ],
            gateway: { model: "m", region: "SBG5" },
          },
          opts,
        ),
    );
    expect(children(rs)).toEqual([
      ["ovh:CloudProject/networkPrivate:NetworkPrivate", "net"],
      ["ovh:CloudProject/networkPrivateSubnet:NetworkPrivateSubnet", "net-gra"],
      ["ovh:CloudProject/networkPrivateSubnetV2:NetworkPrivateSubnetV2", "net-sbg"],
      ["ovh:CloudProject/gateway:Gateway", "net-gateway"],
    ]);
    const v2 = rs.find((r) => r.name === "net-sbg")!.inputs;
    expect(v2).toEqual({
      serviceName: sn,
      name: "net-sbg",
      // The OpenStack network of SBG5 (the mocks derive it from the network's name and region), not the pn- id.
      networkId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      region: "SBG5",
      cidr: "10.1.2.0/24",
      dhcp: true,
      allocationPools: [{ start: "10.1.2.10", end: "10.1.2.200" }],
      enableGatewayIp: true,
      gatewayIp: "10.1.2.254",
      dnsNameservers: ["10.1.2.53", "213.186.33.99"],
    });
    const gateway = rs.find((r) => r.name === "net-gateway")!.inputs;
    expect(gateway).toMatchObject({ region: "SBG5", model: "m", networkId: v2.networkId });
    // The v1 subnet keeps exactly its former inputs: adding the fields elsewhere replaces nothing.
    expect(rs.find((r) => r.name === "net-gra")!.inputs).toEqual({
      serviceName: sn,
      networkId: expect.any(String),
      region: "GRA11",
      network: "10.1.1.0/24",
      start: "10.1.1.2",
      end: "10.1.1.254",
      dhcp: true,
      noGateway: false,
    });
  });

  it("refuses a gateway region without a subnet before creating anything", () => {
    expect(
      () =>
        new PrivateNetwork("net", {
          serviceName: sn,
          cidr: "10.1.0.0/16",
          subnets: [{ key: "a", region: "GRA11", cidr: "10.1.1.0/24" }],
          gateway: { model: "s", region: "SBG5" },
        }),
    ).toThrow('PrivateNetwork "net": [gateway.region] "SBG5" has no subnet (subnets in: GRA11)');
  });

  it("creates no gateway unless asked", async () => {
    const rs = await underMocks(
      (opts) =>
        new PrivateNetwork(
          "net",
          {
            serviceName: sn,
            cidr: "10.1.0.0/16",
            subnets: [{ key: "gra", region: "GRA11", cidr: "10.1.1.0/24" }],
          },
          opts,
        ),
    );
    expect(children(rs).map(([t]) => t)).not.toContain("ovh:CloudProject/gateway:Gateway");
    expect(children(rs)).toHaveLength(2);
  });

  it("refuses two subnets in one region before creating anything", () => {
    expect(
      () =>
        new PrivateNetwork("net", {
          serviceName: sn,
          cidr: "10.1.0.0/16",
          subnets: [
            { key: "a", region: "GRA11", cidr: "10.1.1.0/24" },
            { key: "b", region: "GRA11", cidr: "10.1.2.0/24" },
          ],
        }),
    ).toThrow('PrivateNetwork "net": [subnets] must have one subnet per region');
  });
});

describe("ServerGroup", () => {
  const base = { serviceName: sn, region: "GRA11", flavorId: "flavor-uuid", imageId: "image-uuid" };

  it("creates count instances, a volume each and a backup each, named by index", async () => {
    const rs = await underMocks(
      (opts) =>
        new ServerGroup(
          "web",
          {
            ...base,
            count: 2,
            public: true,
            volumes: [{ key: "data", sizeGb: 50 }],
            backup: { cron: "0 2 * * *", rotation: 7 },
            userData: "#!/bin/sh\n",
            protectStateful: true,
          },
          opts,
        ),
    );
    expect(children(rs)).toEqual([
      ["ovh:CloudProject/instance:Instance", "web-1"],
      ["ovh:CloudProject/volume:Volume", "web-1-data"],
      ["ovh:CloudProject/workflowBackup:WorkflowBackup", "web-1-backup"],
      ["ovh:CloudProject/instance:Instance", "web-2"],
      ["ovh:CloudProject/volume:Volume", "web-2-data"],
      ["ovh:CloudProject/workflowBackup:WorkflowBackup", "web-2-backup"],
    ]);
    expect(rs.find((r) => r.name === "web-1")!.inputs).toMatchObject({
      region: "GRA11",
      billingPeriod: "hourly",
      flavor: { flavorId: "flavor-uuid" },
      bootFrom: { imageId: "image-uuid" },
      network: { public: true },
      userData: "#!/bin/sh\n",
    });
    expect(rs.find((r) => r.name === "web-1-data")).toMatchObject({
      protect: true,
      inputs: { size: 50, type: "classic", regionName: "GRA11" },
    });
    expect(rs.find((r) => r.name === "web-2-backup")!.inputs).toMatchObject({
      cron: "0 2 * * *",
      rotation: 7,
    });
  });

  it("creates bare instances when volumes and backups are off", async () => {
    const rs = await underMocks((opts) => new ServerGroup("api", { ...base, count: 1, public: true }, opts));
    expect(children(rs)).toEqual([["ovh:CloudProject/instance:Instance", "api-1"]]);
  });

  it("refuses a private-only group without a network", () => {
    expect(() => new ServerGroup("db", { ...base, count: 1, public: false })).toThrow(
      'ServerGroup "db": [privateNetwork] is required when [public] is false',
    );
  });
});

describe("KubernetesCluster", () => {
  it("creates the cluster and a pool per key, autoscaled pools ignoring desiredNodes drift", async () => {
    const rs = await underMocks(
      (opts) =>
        new KubernetesCluster(
          "k8s",
          {
            serviceName: sn,
            region: "GRA11",
            version: "1.32",
            nodePools: [
              { key: "apps", flavor: "b3-8", autoscale: { min: 2, max: 5 } },
              { key: "batch", flavor: "c3-8", size: 3 },
            ],
          },
          opts,
        ),
    );
    expect(children(rs)).toEqual([
      ["ovh:CloudProject/kube:Kube", "k8s"],
      ["ovh:CloudProject/kubeNodePool:KubeNodePool", "k8s-apps"],
      ["ovh:CloudProject/kubeNodePool:KubeNodePool", "k8s-batch"],
    ]);
    expect(rs.find((r) => r.name === "k8s-apps")!.inputs).toMatchObject({
      name: "k8s-apps",
      flavorName: "b3-8",
      autoscale: true,
      minNodes: 2,
      maxNodes: 5,
    });
    expect(rs.find((r) => r.name === "k8s-batch")!.inputs).toMatchObject({
      autoscale: false,
      desiredNodes: 3,
      minNodes: 3,
      maxNodes: 3,
    });
  });

  it("sends the plan, private routing through the DHCP-advertised gateway, and each pool's zone", async () => {
    const rs = await underMocks(
      (opts) =>
        new KubernetesCluster(
          "k8s",
          {
            serviceName: sn,
            region: "EU-WEST-PAR",
            version: "1.32",
            plan: "standard",
            privateNetwork: { networkId: "net-uuid", subnetId: "subnet-uuid" },
            privateRouting: true,
            nodePools: [
              { key: "a", flavor: "b3-8", zone: "eu-west-par-a", size: 1 },
              { key: "b", flavor: "b3-8", size: 1 },
            ],
          },
          opts,
        ),
    );
    expect(rs.find((r) => r.name === "k8s" && r.type === "ovh:CloudProject/kube:Kube")!.inputs).toMatchObject(
      {
        plan: "standard",
        privateNetworkId: "net-uuid",
        privateNetworkConfiguration: { defaultVrackGateway: "", privateNetworkRoutingAsDefault: true },
      },
    );
    expect(rs.find((r) => r.name === "k8s-a")!.inputs.availabilityZones).toEqual(["eu-west-par-a"]);
    expect(rs.find((r) => r.name === "k8s-b")!.inputs.availabilityZones).toBeUndefined();
  });

  it("sends no plan and no routing configuration unless asked", async () => {
    const rs = await underMocks(
      (opts) =>
        new KubernetesCluster(
          "k8s",
          {
            serviceName: sn,
            region: "GRA11",
            version: "1.32",
            nodePools: [{ key: "a", flavor: "b3-8", size: 1 }],
          },
          opts,
        ),
    );
    const kube = rs.find((r) => r.type === "ovh:CloudProject/kube:Kube")!.inputs;
    expect(kube.plan).toBeUndefined();
    expect(kube.privateNetworkConfiguration).toBeUndefined();
  });

  it("refuses private routing off the private network", () => {
    expect(
      () =>
        new KubernetesCluster("k8s", {
          serviceName: sn,
          region: "GRA11",
          version: "1.32",
          privateRouting: true,
          nodePools: [{ key: "a", flavor: "b3-8", size: 1 }],
        }),
    ).toThrow("[privateRouting] needs [privateNetwork]");
  });

  it("refuses a pool with both size and autoscale", () => {
    expect(
      () =>
        new KubernetesCluster("k8s", {
          serviceName: sn,
          region: "GRA11",
          version: "1.32",
          nodePools: [{ key: "a", flavor: "b3-8", size: 1, autoscale: { min: 1, max: 2 } }],
        }),
    ).toThrow("exactly one of [size] and [autoscale]");
  });
});

describe("ManagedDatabase", () => {
  const base = {
    serviceName: sn,
    version: "16",
    plan: "business" as const,
    flavor: "db1-7",
    nodeCount: 2,
    diskGb: 80,
    region: "GRA11",
    databases: ["app"],
    allowedCidrs: ["10.0.0.5/32", "10.0.0.4/32"],
  };

  it("creates a PostgreSQL cluster with users, databases and sorted IP restrictions in the short region", async () => {
    const rs = await underMocks(
      (opts) =>
        new ManagedDatabase(
          "db",
          {
            ...base,
            engine: "postgresql",
            users: [{ name: "app" }, { name: "ro", readOnly: true }],
            protectStateful: true,
          },
          opts,
        ),
    );
    expect(children(rs)).toEqual([
      ["ovh:CloudProject/database:Database", "db"],
      ["ovh:CloudProjectDatabase/postgresSqlUser:PostgresSqlUser", "db-app"],
      ["ovh:CloudProjectDatabase/postgresSqlUser:PostgresSqlUser", "db-ro"],
      ["ovh:CloudProjectDatabase/databaseInstance:DatabaseInstance", "db-db-app"],
    ]);
    const cluster = rs.find((r) => r.name === "db" && r.type.startsWith("ovh:"))!;
    expect(cluster.protect).toBe(true);
    expect(cluster.inputs).toMatchObject({
      engine: "postgresql",
      plan: "business",
      flavor: "db1-7",
      diskSize: 80,
      nodes: [{ region: "GRA" }, { region: "GRA" }],
      deletionProtection: true,
    });
    expect(cluster.inputs.ipRestrictions).toEqual([
      { ip: "10.0.0.4/32", description: "db allowed" },
      { ip: "10.0.0.5/32", description: "db allowed" },
    ]);
    expect(rs.find((r) => r.name === "db-ro")!.inputs).toMatchObject({
      name: "ro",
      roles: ["pg_read_all_data"],
    });
  });

  it("uses the generic user resource for MySQL", async () => {
    const rs = await underMocks(
      (opts) =>
        new ManagedDatabase(
          "db",
          { ...base, engine: "mysql", version: "8", users: [{ name: "shop" }], databases: [] },
          opts,
        ),
    );
    expect(children(rs)).toEqual([
      ["ovh:CloudProject/database:Database", "db"],
      ["ovh:CloudProjectDatabase/user:User", "db-shop"],
    ]);
  });

  it("sends the backup time and the backup regions as OVH's short regions", async () => {
    const rs = await underMocks(
      (opts) =>
        new ManagedDatabase(
          "db",
          {
            ...base,
            engine: "postgresql",
            users: [],
            backupTime: "02:30:00",
            backupRegions: ["GRA11", "SBG5"],
          },
          opts,
        ),
    );
    expect(rs.find((r) => r.type === "ovh:CloudProject/database:Database")!.inputs).toMatchObject({
      backupTime: "02:30:00",
      backupRegions: ["GRA", "SBG"],
    });
  });

  it("refuses backup regions without the database's own, and a malformed backup time", () => {
    const make = (extra: object) => () =>
      new ManagedDatabase("db", { ...base, engine: "postgresql", users: [], ...extra });
    expect(make({ backupRegions: ["SBG5"] })).toThrow(
      "[backupRegions] must list the database's region and at most one other",
    );
    expect(make({ backupTime: "2:30" })).toThrow('[backupTime] "2:30" is not HH:MM:SS');
  });

  it("refuses the built-in admin user", () => {
    expect(
      () => new ManagedDatabase("db", { ...base, engine: "postgresql", users: [{ name: "avnadmin" }] }),
    ).toThrow('[users] must not include "avnadmin"');
  });
});

describe("ObjectStorage", () => {
  it("creates buckets and one user, credential and policy per access name", async () => {
    const rs = await underMocks(
      (opts) =>
        new ObjectStorage(
          "s3",
          {
            serviceName: sn,
            labels: { team: "media" },
            buckets: [
              {
                key: "masters",
                bucketName: "acme-prod-masters",
                region: "GRA11",
                versioning: true,
                lifecycle: { expireAfterDays: 30 },
                access: [
                  { user: "cdn", level: "read" },
                  { user: "ingest", level: "read-write" },
                ],
              },
              {
                key: "thumbs",
                bucketName: "acme-prod-thumbs",
                region: "GRA11",
                access: [{ user: "cdn", level: "read" }],
              },
            ],
          },
          opts,
        ),
    );
    expect(children(rs)).toEqual([
      ["ovh:CloudProject/storage:Storage", "s3-masters"],
      [
        "ovh:index/cloudProjectStorageObjectBucketLifecycleConfiguration:CloudProjectStorageObjectBucketLifecycleConfiguration",
        "s3-masters-lifecycle",
      ],
      ["ovh:CloudProject/storage:Storage", "s3-thumbs"],
      ["ovh:CloudProject/user:User", "s3-cdn"],
      ["ovh:CloudProject/s3Credential:S3Credential", "s3-cdn-s3"],
      ["ovh:CloudProject/s3Policy:S3Policy", "s3-cdn-policy"],
      ["ovh:CloudProject/user:User", "s3-ingest"],
      ["ovh:CloudProject/s3Credential:S3Credential", "s3-ingest-s3"],
      ["ovh:CloudProject/s3Policy:S3Policy", "s3-ingest-policy"],
    ]);
    expect(rs.find((r) => r.name === "s3-masters")!.inputs).toMatchObject({
      name: "acme-prod-masters",
      regionName: "GRA",
      versioning: { status: "enabled" },
      // Labels only: lifecycle rules are kept by OVH, not written down as tags.
      tags: { team: "media" },
    });
    expect(rs.find((r) => r.name === "s3-masters-lifecycle")!.inputs).toEqual({
      serviceName: sn,
      regionName: "GRA",
      containerName: "acme-prod-masters",
      rules: [{ id: "expire-current", status: "enabled", expiration: { days: 30 } }],
    });
    const policy = JSON.parse(String(rs.find((r) => r.name === "s3-cdn-policy")!.inputs.policy));
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      "read-acme-prod-masters",
      "read-acme-prod-thumbs",
    ]);
  });

  it("turns lifecycle settings into one OVH rule each, and none without settings", () => {
    expect(lifecycleRules({ expireAfterDays: 180, noncurrentExpireAfterDays: 90 })).toEqual([
      { id: "expire-current", status: "enabled", expiration: { days: 180 } },
      { id: "expire-noncurrent", status: "enabled", noncurrentVersionExpiration: { noncurrentDays: 90 } },
    ]);
    expect(lifecycleRules({ noncurrentExpireAfterDays: 7 })).toEqual([
      { id: "expire-noncurrent", status: "enabled", noncurrentVersionExpiration: { noncurrentDays: 7 } },
    ]);
    expect(lifecycleRules({})).toEqual([]);
    expect(lifecycleRules(undefined)).toEqual([]);
  });

  it("refuses lifecycle day counts that are not whole positive numbers, before creating anything", () => {
    const bucket = { key: "b", bucketName: "acme-b", region: "GRA11", access: [] };
    for (const days of [0, -1, 1.5])
      expect(
        () =>
          new ObjectStorage("s3", {
            serviceName: sn,
            buckets: [{ ...bucket, lifecycle: { expireAfterDays: days } }],
          }),
      ).toThrow('bucket "b": [lifecycle.expireAfterDays] must be a whole number of days ≥ 1');
  });

  it("writes read-only policies without write actions", () => {
    const doc = JSON.parse(policyDocument([{ bucketName: "b", level: "read" }]));
    expect(doc.Statement[0].Action).not.toContain("s3:PutObject");
  });
});

describe("LoadBalancer", () => {
  it("creates one load balancer whose listeners embed pools of the given members", async () => {
    const rs = await underMocks(
      (opts) =>
        new LoadBalancer(
          "lb",
          {
            serviceName: sn,
            region: "GRA11",
            flavorId: "lb-flavor",
            privateNetwork: { networkId: "net-uuid", subnetId: "sub-uuid" },
            listeners: [{ key: "http", port: 80, protocol: "http", pool: "web" }],
            pools: [
              {
                key: "web",
                port: 8080,
                protocol: "http",
                members: ["10.0.0.2", "10.0.0.3"],
                healthCheckPath: "/healthz",
              },
            ],
          },
          opts,
        ),
    );
    expect(children(rs)).toEqual([["ovh:CloudProject/loadBalancer:LoadBalancer", "lb"]]);
    const lb = rs.find((r) => r.type.startsWith("ovh:"))!;
    expect(lb.inputs).toMatchObject({
      regionName: "GRA11",
      flavorId: "lb-flavor",
      network: {
        private: {
          network: { id: "net-uuid", subnetId: "sub-uuid" },
          floatingIpCreate: { description: "lb public entry" },
        },
      },
    });
    const listener = (lb.inputs.listeners as { pool: { members: unknown[]; healthMonitor?: unknown } }[])[0];
    expect(listener).toMatchObject({
      port: 80,
      protocol: "http",
      pool: { name: "lb-web", protocol: "http", algorithm: "roundRobin" },
    });
    expect(listener.pool.members).toEqual([
      { name: "lb-web-1", address: "10.0.0.2", protocolPort: 8080, weight: 1 },
      { name: "lb-web-2", address: "10.0.0.3", protocolPort: 8080, weight: 1 },
    ]);
    expect(listener.pool.healthMonitor).toMatchObject({
      monitorType: "http",
      httpConfiguration: { urlPath: "/healthz" },
    });
  });

  it("refuses a listener pointing at a missing pool", () => {
    expect(
      () =>
        new LoadBalancer("lb", {
          serviceName: sn,
          region: "GRA11",
          flavorId: "f",
          privateNetwork: { networkId: "n", subnetId: "s" },
          listeners: [{ key: "x", port: 1, pool: "nope" }],
          pools: [],
        }),
    ).toThrow('listener "x": no pool "nope"');
  });
});

describe("DnsRecords", () => {
  it("names records by subdomain and type, the apex as apex", async () => {
    const rs = await underMocks(
      (opts) =>
        new DnsRecords(
          "dns",
          {
            zone: "acme.example",
            records: [
              { name: "@", type: "A", ttl: 300, target: "198.51.100.1" },
              { name: "www", type: "CNAME", ttl: 300, target: "acme.example." },
            ],
          },
          opts,
        ),
    );
    expect(children(rs)).toEqual([
      ["ovh:Domain/zoneRecord:ZoneRecord", "dns-apex-a"],
      ["ovh:Domain/zoneRecord:ZoneRecord", "dns-www-cname"],
    ]);
    expect(rs.find((r) => r.name === "dns-apex-a")!.inputs).toMatchObject({
      zone: "acme.example",
      subdomain: "",
      fieldtype: "A",
      ttl: 300,
      target: "198.51.100.1",
    });
  });

  it("makes one OVH record per target of a round-robin name", async () => {
    const rs = await underMocks(
      (opts) =>
        new DnsRecords(
          "dns",
          {
            zone: "acme.example",
            records: [
              { name: "www", type: "A", ttl: 300, target: "192.0.2.10" },
              { name: "www", type: "A", ttl: 300, target: "192.0.2.11" },
            ],
          },
          opts,
        ),
    );
    expect(children(rs)).toEqual([
      ["ovh:Domain/zoneRecord:ZoneRecord", "dns-www-a"],
      ["ovh:Domain/zoneRecord:ZoneRecord", "dns-www-a-2"],
    ]);
    expect(rs.filter((r) => r.type.startsWith("ovh:")).map((r) => r.inputs.target)).toEqual([
      "192.0.2.10",
      "192.0.2.11",
    ]);
  });
});

describe("shortRegion", () => {
  it.each([
    ["GRA11", "GRA"],
    ["SBG5", "SBG"],
    ["EU-WEST-PAR", "EU-WEST-PAR"],
    ["DE1", "DE"],
  ])("%s → %s", (r, s) => expect(shortRegion(r)).toBe(s));
});
