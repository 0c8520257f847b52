/** Family: object storage buckets, their S3 users and access policies. */
import * as pulumi from "@pulumi/pulumi";
import { ObjectStorage } from "../../components/ovh";
import type { Family, OvhFamilyContext } from "./context";

/** Builds the buckets; S3 secret keys go to the secret outputs. */
export const storage: Family<OvhFamilyContext> = {
  name: "storage",
  build(ctx) {
    const { env } = ctx;
    if (!env.buckets.length) return;
    const store = new ObjectStorage(
      `${env.stackName}-storage`,
      {
        serviceName: ctx.serviceName,
        labels: env.labels,
        protectStateful: env.protectStateful,
        buckets: env.buckets.map((b) => ({
          key: b.name,
          bucketName: b.bucketName ?? b.resourceName,
          region: b.region,
          versioning: b.versioning,
          ...(b.lifecycle ? { lifecycle: b.lifecycle } : {}),
          access: (b.access ?? []).map((a) => ({ user: a.name, level: a.level })),
        })),
      },
      ctx.parent,
    );
    ctx.inventory.buckets = Object.fromEntries(
      env.buckets.map((b) => [
        b.name,
        {
          name: b.bucketName ?? b.resourceName,
          region: b.region,
          versioning: b.versioning,
          endpoint: store.endpoints.apply((e) => e[b.name]),
          access: b.access ?? [],
          // The bucket's tags as the API holds them (the environment's labels): what the report shows.
          tags: store.buckets[b.name].tags,
          // The lifecycle rules as the API holds them (read back on refresh); none when nothing expires.
          lifecycle: store.lifecycles[b.name]?.rules ?? [],
        },
      ]),
    );
    ctx.inventory.s3Users = store.accessKeyIds;
    ctx.secrets.s3 = pulumi.secret(
      pulumi
        .all(
          Object.entries(store.credentials).map(([u, c]) => c.secretAccessKey.apply((s) => [u, s] as const)),
        )
        .apply((p) => Object.fromEntries(p)),
    );
    ctx.secretIndex.push("s3");
  },
};
