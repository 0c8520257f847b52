/**
 * ObjectStorage: S3 buckets, their lifecycle rules, and one S3 user per access name with credentials (secret
 * outputs) and a policy granting exactly the levels the blueprint lists.
 *
 * Lifecycle rules are kept by OVH's own API (`…/region/{r}/storage/{name}/lifecycle`, the provider's
 * CloudProjectStorageObjectBucketLifecycleConfiguration): OVH applies them, and a refresh reads them back, so a
 * rule changed or deleted outside Majordome shows as drift. No S3 keys are needed for them.
 */
import * as ovh from "@ovhcloud/pulumi-ovh";
import * as pulumi from "@pulumi/pulumi";
import { invalid, shortRegion, TOKEN_PREFIX, type OvhProjectArgs } from "./common";

/** How long a bucket keeps objects; unset fields keep them for ever. */
export interface BucketLifecycle {
  /** Days after which current objects are deleted. */
  readonly expireAfterDays?: number;
  /** Days after which an object's noncurrent versions (versioned buckets) are deleted. */
  readonly noncurrentExpireAfterDays?: number;
}

/** One lifecycle rule as the OVH API takes it (the provider's rule input, fields this component uses). */
export interface LifecycleRule {
  readonly id: string;
  readonly status: "enabled";
  readonly expiration?: { readonly days: number };
  readonly noncurrentVersionExpiration?: { readonly noncurrentDays: number };
}

/**
 * The OVH lifecycle rules for a bucket's settings: one rule per setting, with a stable id (the API may return
 * rules sorted by id, and the provider pairs them by id), applying to every object (no filter). Empty when
 * nothing expires: the component then creates no lifecycle configuration at all.
 */
export function lifecycleRules(lifecycle: BucketLifecycle | undefined): LifecycleRule[] {
  const rules: LifecycleRule[] = [];
  if (lifecycle?.expireAfterDays !== undefined)
    rules.push({ id: "expire-current", status: "enabled", expiration: { days: lifecycle.expireAfterDays } });
  if (lifecycle?.noncurrentExpireAfterDays !== undefined)
    rules.push({
      id: "expire-noncurrent",
      status: "enabled",
      noncurrentVersionExpiration: { noncurrentDays: lifecycle.noncurrentExpireAfterDays },
    });
  return rules;
}

/** One bucket and who may use it. */
export interface BucketArgs {
  readonly key: string;
  /** Full bucket name (globally unique in the region). */
  readonly bucketName: string;
  /** Compute or storage region; the short family is used (GRA11 → GRA). */
  readonly region: string;
  readonly versioning?: boolean;
  readonly lifecycle?: BucketLifecycle;
  readonly access: readonly { readonly user: string; readonly level: "read" | "read-write" }[];
}

/** Arguments of {@link ObjectStorage}. */
export interface ObjectStorageArgs extends OvhProjectArgs {
  readonly buckets: readonly BucketArgs[];
  /** Labels carried as tags by every bucket. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /** Refuse deletion of buckets (production). @default false */
  readonly protectStateful?: boolean;
}

/** S3 actions per access level. */
const ACTIONS = {
  read: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketVersions"],
  "read-write": [
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:ListBucket",
    "s3:GetBucketLocation",
    "s3:ListBucketVersions",
    "s3:ListMultipartUploadParts",
    "s3:AbortMultipartUpload",
  ],
} as const;

/** Builds the IAM-style policy document for one user's grants (stable order, so no spurious diffs). */
export function policyDocument(
  grants: readonly { bucketName: string; level: "read" | "read-write" }[],
): string {
  const sorted = [...grants].sort((a, b) => a.bucketName.localeCompare(b.bucketName));
  return JSON.stringify({
    Statement: sorted.map((g) => ({
      Sid: `${g.level}-${g.bucketName}`,
      Effect: "Allow",
      Action: [...ACTIONS[g.level]],
      Resource: [`arn:aws:s3:::${g.bucketName}`, `arn:aws:s3:::${g.bucketName}/*`],
    })),
  });
}

/** Creates buckets, their S3 users, credentials and policies. */
export class ObjectStorage extends pulumi.ComponentResource {
  readonly buckets: Readonly<Record<string, ovh.cloudproject.Storage>>;
  /** Lifecycle configurations per bucket key (only buckets with rules have one). */
  readonly lifecycles: Readonly<Record<string, ovh.CloudProjectStorageObjectBucketLifecycleConfiguration>>;
  readonly users: Readonly<Record<string, ovh.cloudproject.User>>;
  readonly credentials: Readonly<Record<string, ovh.cloudproject.S3Credential>>;
  readonly policies: Readonly<Record<string, ovh.cloudproject.S3Policy>>;
  /** S3 endpoints per bucket key. */
  readonly endpoints: pulumi.Output<Record<string, string>>;
  /** Access key ids per user (not secret). */
  readonly accessKeyIds: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: ObjectStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TOKEN_PREFIX}:ObjectStorage`, name, {}, opts);
    const keys = args.buckets.map((b) => b.key);
    if (new Set(keys).size !== keys.length) invalid("ObjectStorage", name, "[buckets] keys must be unique");
    for (const b of args.buckets)
      for (const [field, days] of Object.entries(b.lifecycle ?? {}))
        if (days !== undefined && !(Number.isInteger(days) && days >= 1))
          invalid(
            "ObjectStorage",
            name,
            `bucket "${b.key}": [lifecycle.${field}] must be a whole number of days ≥ 1`,
          );

    const buckets: Record<string, ovh.cloudproject.Storage> = {};
    const lifecycles: Record<string, ovh.CloudProjectStorageObjectBucketLifecycleConfiguration> = {};
    for (const b of args.buckets) {
      const tags: Record<string, string> = { ...(args.labels ?? {}) };
      buckets[b.key] = new ovh.cloudproject.Storage(
        `${name}-${b.key}`,
        {
          serviceName: args.serviceName,
          regionName: shortRegion(b.region),
          name: b.bucketName,
          versioning: { status: b.versioning ? "enabled" : "disabled" },
          tags,
        },
        { parent: this, protect: args.protectStateful ?? false },
      );
      const rules = lifecycleRules(b.lifecycle);
      if (rules.length)
        lifecycles[b.key] = new ovh.CloudProjectStorageObjectBucketLifecycleConfiguration(
          `${name}-${b.key}-lifecycle`,
          {
            serviceName: args.serviceName,
            // From the bucket's outputs, so the rules are set once the bucket exists.
            regionName: buckets[b.key].regionName,
            containerName: buckets[b.key].name,
            rules,
          },
          { parent: this },
        );
    }
    const grantsByUser = new Map<string, { bucketName: string; level: "read" | "read-write" }[]>();
    for (const b of args.buckets)
      for (const a of b.access)
        grantsByUser.set(a.user, [
          ...(grantsByUser.get(a.user) ?? []),
          { bucketName: b.bucketName, level: a.level },
        ]);
    const users: Record<string, ovh.cloudproject.User> = {};
    const credentials: Record<string, ovh.cloudproject.S3Credential> = {};
    const policies: Record<string, ovh.cloudproject.S3Policy> = {};
    for (const [user, grants] of [...grantsByUser.entries()].sort(([a], [b]) => a.localeCompare(b))) {
      const userName = `${name}-${user}`;
      users[user] = new ovh.cloudproject.User(
        userName,
        { serviceName: args.serviceName, description: userName, roleNames: ["objectstore_operator"] },
        { parent: this, additionalSecretOutputs: ["password"] },
      );
      credentials[user] = new ovh.cloudproject.S3Credential(
        `${userName}-s3`,
        { serviceName: args.serviceName, userId: users[user].id },
        { parent: this, additionalSecretOutputs: ["secretAccessKey"] },
      );
      policies[user] = new ovh.cloudproject.S3Policy(
        `${userName}-policy`,
        { serviceName: args.serviceName, userId: users[user].id, policy: policyDocument(grants) },
        { parent: this, dependsOn: Object.values(buckets) },
      );
    }
    this.buckets = buckets;
    this.lifecycles = lifecycles;
    this.users = users;
    this.credentials = credentials;
    this.policies = policies;
    this.endpoints = pulumi.output(
      Object.fromEntries(
        args.buckets.map((b) => [
          b.key,
          `https://${b.bucketName}.s3.${shortRegion(b.region).toLowerCase()}.io.cloud.ovh.net`,
        ]),
      ),
    );
    this.accessKeyIds = pulumi
      .all(Object.entries(credentials).map(([k, c]) => c.accessKeyId.apply((id) => [k, id] as const)))
      .apply((p) => Object.fromEntries(p));
    this.registerOutputs({ buckets, lifecycles, users, credentials, policies, endpoints: this.endpoints });
  }
}
