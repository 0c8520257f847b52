/**
 * The baseline of the plan benchmark: shopwave/production's resources written as a plain, hand-written
 * Pulumi program (no blueprint, no components), as an engineer would without Majordome.
 */
import * as ovh from "@ovhcloud/pulumi-ovh";
import * as pulumi from "@pulumi/pulumi";

/** Declares the resources; returns an output that resolves when the last ones are wired. */
export function handwrittenShopwaveProduction(): pulumi.Output<unknown> {
  const serviceName = "00000000000000000000000000000000";
  const region = "GRA11";
  const net = new ovh.cloudproject.NetworkPrivate("shopwave-production-net", {
    serviceName,
    name: "shopwave-production-net",
    vlanId: 110,
    regions: [region],
  });
  const subnet = new ovh.cloudproject.NetworkPrivateSubnet("shopwave-production-net-gra11", {
    serviceName,
    networkId: net.id,
    region,
    network: "10.110.0.0/24",
    start: "10.110.0.2",
    end: "10.110.0.254",
    dhcp: true,
    noGateway: false,
  });
  const osNet = net.regionsOpenstackIds.apply((ids) => ids[region]);
  new ovh.cloudproject.Gateway("shopwave-production-net-gateway", {
    serviceName,
    name: "shopwave-production-net-gateway",
    model: "s",
    region,
    networkId: osNet,
    subnetId: subnet.id,
  });
  const key = new ovh.CloudProjectSshKey("shopwave-production-runteam", {
    serviceName,
    name: "shopwave-production-runteam",
    publicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBNbOqrQZ7Ue0zZ0mO6Qn0vZo0Q5HhC1y3a8nW2fF4gA alice@run",
  });
  const flavors = ovh.cloudproject.getFlavorsOutput({ serviceName, region }).flavors;
  const images = ovh.cloudproject.getImagesOutput({ serviceName, region, osType: "linux" }).images;
  const flavorId = (n: string) => flavors.apply((f) => f.find((x) => x.name === n)?.id ?? "");
  const imageId = images.apply((i) => i.find((x) => x.name === "Debian 12")?.id ?? "");
  const userData = "#!/bin/sh\nset -eu\nuseradd alice || true\n";
  const addresses: pulumi.Output<string>[] = [];
  const group = (name: string, flavor: string, count: number, volume?: { size: number; type: string }) => {
    for (let i = 1; i <= count; i++) {
      const vm = new ovh.cloudproject.Instance(
        `${name}-${i}`,
        {
          serviceName,
          name: `${name}-${i}`,
          region,
          billingPeriod: "hourly",
          flavor: { flavorId: flavorId(flavor) },
          bootFrom: { imageId },
          sshKey: { name: key.name },
          network: { public: false, private: { network: { id: osNet, subnetId: subnet.id } } },
          userData,
        },
        { ignoreChanges: ["userData"] },
      );
      if (name.endsWith("web")) addresses.push(vm.addresses.apply((a) => a[0]?.ip ?? ""));
      if (volume)
        new ovh.cloudproject.Volume(
          `${name}-${i}-media`,
          {
            serviceName,
            regionName: region,
            name: `${name}-${i}-media`,
            size: volume.size,
            type: volume.type,
            instanceId: vm.id,
          },
          { protect: true },
        );
      new ovh.cloudproject.WorkflowBackup(`${name}-${i}-backup`, {
        serviceName,
        regionName: region,
        name: `${name}-${i}-backup`,
        instanceId: vm.id,
        cron: "0 2 * * *",
        rotation: 35,
      });
    }
  };
  group("shopwave-production-web", "b3-16", 4, { size: 200, type: "high-speed" });
  group("shopwave-production-worker", "c3-8", 2);
  const db = new ovh.cloudproject.Database(
    "shopwave-production-shop",
    {
      serviceName,
      description: "shopwave-production-shop",
      engine: "mysql",
      version: "8",
      plan: "business",
      flavor: "db1-15",
      diskSize: 200,
      nodes: [
        { region: "GRA", networkId: osNet, subnetId: subnet.id },
        { region: "GRA", networkId: osNet, subnetId: subnet.id },
      ],
      ipRestrictions: pulumi
        .all(addresses)
        .apply((ips) => ips.map((ip) => ({ ip: `${ip}/32`, description: "web" }))),
      deletionProtection: true,
    },
    { protect: true },
  );
  for (const u of ["shop", "analytics"])
    new ovh.cloudprojectdatabase.User(`shopwave-production-shop-${u}`, {
      serviceName,
      clusterId: db.id,
      engine: "mysql",
      name: u,
    });
  new ovh.cloudprojectdatabase.DatabaseInstance(
    "shopwave-production-shop-db-shop",
    { serviceName, clusterId: db.id, engine: "mysql", name: "shop" },
    { protect: true },
  );
  const lbFlavor = ovh.cloudproject
    .getLoadBalancerFlavorsOutput({ serviceName, regionName: region })
    .flavors.apply((f) => f.find((x) => x.name === "medium")?.id ?? "");
  const members = (port: number) =>
    pulumi
      .all(addresses)
      .apply((ips) =>
        ips.map((address, i) => ({ name: `m-${i + 1}`, address, protocolPort: port, weight: 1 })),
      );
  const lb = new ovh.cloudproject.LoadBalancer("shopwave-production-front", {
    serviceName,
    name: "shopwave-production-front",
    regionName: region,
    flavorId: lbFlavor,
    network: {
      private: {
        network: { id: osNet, subnetId: subnet.id },
        floatingIpCreate: { description: "public entry" },
      },
    },
    listeners: [
      {
        name: "http",
        port: 80,
        protocol: "http",
        pool: {
          name: "web",
          protocol: "http",
          algorithm: "roundRobin",
          members: members(8080),
          healthMonitor: {
            name: "web-health",
            monitorType: "http",
            delay: 5,
            timeout: 3,
            maxRetries: 3,
            maxRetriesDown: 3,
            httpConfiguration: { urlPath: "/healthz", httpMethod: "GET", expectedCodes: "200" },
          },
        },
      },
      {
        name: "https",
        port: 443,
        protocol: "tcp",
        pool: { name: "web-tls", protocol: "tcp", algorithm: "roundRobin", members: members(8443) },
      },
    ],
  });
  const ip = lb.floatingIp.apply((f) => f?.ip ?? "");
  const records = [
    new ovh.domain.ZoneRecord("dns-apex-a", {
      zone: "shopwave.example",
      subdomain: "",
      fieldtype: "A",
      ttl: 300,
      target: ip,
    }),
    new ovh.domain.ZoneRecord("dns-www-a", {
      zone: "shopwave.example",
      subdomain: "www",
      fieldtype: "A",
      ttl: 300,
      target: ip,
    }),
    new ovh.domain.ZoneRecord("dns-mail-mx", {
      zone: "shopwave.example",
      subdomain: "mail",
      fieldtype: "MX",
      ttl: 3600,
      target: "10 mx1.mail.shopwave.example.",
    }),
  ];
  return pulumi.all([db.id, ...records.map((r) => r.id)]);
}
