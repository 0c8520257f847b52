/**
 * ServerGroup: `count` identical instances of one flavor and image, with optional block volumes, first-boot
 * user data that applies the operations baseline, and a backup schedule.
 *
 * Generation choice: the v1 `cloudproject.Instance`. The v2 `CloudInstance` updates flavors in place but has no
 * user data input, and user data is how the operations baseline reaches a new server. Every v1 input forces
 * replacement, so user data is listed in `ignoreChanges`: it is a first-boot script, and changing the baseline
 * must never rebuild a running server silently. The group says what each instance was built with (the user
 * data kept in its state, and the baseline summary that user data records) next to what its arguments now
 * ask, so the delivery can refuse a change that would not reach running instances, or rebuild them when told
 * (`rebuild`: those instances follow their new user data, which replaces them). Instances are named by index
 * inside the group (`web-1`, `web-2`…): growing the group adds instances and never touches existing ones.
 */
import * as ovh from "@ovhcloud/pulumi-ovh";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { readBaselineMarker } from "../baseline/operationsBaseline";
import { invalid, TOKEN_PREFIX, type OvhProjectArgs } from "./common";

/** A block volume attached to every instance of the group. */
export interface GroupVolumeArgs {
  readonly key: string;
  readonly sizeGb: number;
  /** @default "classic" */
  readonly type?: "classic" | "high-speed" | "high-speed-gen2";
}

/** Arguments of {@link ServerGroup}. */
export interface ServerGroupArgs extends OvhProjectArgs {
  readonly region: string;
  /** Number of instances. */
  readonly count: number;
  /** Flavor UUID in this region (look it up by name with `cloudproject.getFlavors`). */
  readonly flavorId: pulumi.Input<string>;
  /** Image UUID in this region. */
  readonly imageId: pulumi.Input<string>;
  /** Name of a project SSH key (a `cloudproject` SSH key) installed for the image's default user. @default none */
  readonly sshKeyName?: pulumi.Input<string>;
  /** Attach to this private network and subnet (OpenStack ids). @default public only */
  readonly privateNetwork?: {
    readonly networkId: pulumi.Input<string>;
    readonly subnetId: pulumi.Input<string>;
  };
  /** Give instances a public address. @default true when there is no private network */
  readonly public?: boolean;
  /** First-boot cloud-init script. @default none */
  readonly userData?: string;
  /** Block volumes per instance. @default none */
  readonly volumes?: readonly GroupVolumeArgs[];
  /** Backup schedule per instance. @default none */
  readonly backup?: { readonly cron: string; readonly rotation: number };
  /** Protect volumes from deletion (production). @default false */
  readonly protectStateful?: boolean;
  /**
   * Instances (by name, `<name>-<n>`) whose user data follows these arguments even though they exist: a changed
   * user data replaces them. @default none (user data applies at first boot only)
   */
  readonly rebuild?: readonly string[];
}

/** What one instance was built with: the hash of its first-boot user data and the baseline it records. */
export interface BuiltInstance {
  readonly name: string;
  /** sha256 of the user data the instance booted with (its state's value), "" when it had none. */
  readonly userDataSha256: string;
  /** The operations baseline its user data records, setting by setting; null when it records none. */
  readonly baseline: Record<string, string> | null;
}

/** sha256 of a user data text ("" for none). */
export function userDataSha256(userData: string | undefined): string {
  return userData ? createHash("sha256").update(userData).digest("hex") : "";
}

/** Creates a group of identical instances with volumes, baseline user data and backups. */
export class ServerGroup extends pulumi.ComponentResource {
  readonly instances: readonly ovh.cloudproject.Instance[];
  readonly volumes: readonly ovh.cloudproject.Volume[];
  readonly backups: readonly ovh.cloudproject.WorkflowBackup[];
  /** IPv4 addresses per instance: public ones when public, else private. */
  readonly addresses: pulumi.Output<string[]>;
  /** Private IPv4 addresses (on the private network), when attached to one. */
  readonly privateAddresses: pulumi.Output<string[]>;
  /** Public IPv4 addresses, when public. */
  readonly publicAddresses: pulumi.Output<string[]>;
  /** What each instance was built with (from its state: user data is `ignoreChanges`). */
  readonly built: pulumi.Output<BuiltInstance[]>;
  /** What the arguments now ask: the user data's hash and the baseline it records. */
  readonly asked: { readonly userDataSha256: string; readonly baseline: Record<string, string> | null };

  constructor(name: string, args: ServerGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TOKEN_PREFIX}:ServerGroup`, name, {}, opts);
    if (!Number.isInteger(args.count) || args.count < 0)
      invalid("ServerGroup", name, "[count] must be a whole number ≥ 0");
    const isPublic = args.public ?? !args.privateNetwork;
    if (!isPublic && !args.privateNetwork)
      invalid("ServerGroup", name, "[privateNetwork] is required when [public] is false");
    const keys = (args.volumes ?? []).map((v) => v.key);
    if (new Set(keys).size !== keys.length) invalid("ServerGroup", name, "[volumes] keys must be unique");

    const instances: ovh.cloudproject.Instance[] = [];
    const volumes: ovh.cloudproject.Volume[] = [];
    const backups: ovh.cloudproject.WorkflowBackup[] = [];
    for (let i = 1; i <= args.count; i++) {
      const instanceName = `${name}-${i}`;
      const instance = new ovh.cloudproject.Instance(
        instanceName,
        {
          serviceName: args.serviceName,
          name: instanceName,
          region: args.region,
          billingPeriod: "hourly",
          flavor: { flavorId: args.flavorId },
          bootFrom: { imageId: args.imageId },
          ...(args.sshKeyName ? { sshKey: { name: args.sshKeyName } } : {}),
          network: {
            public: isPublic,
            ...(args.privateNetwork
              ? {
                  private: {
                    network: { id: args.privateNetwork.networkId, subnetId: args.privateNetwork.subnetId },
                  },
                }
              : {}),
          },
          ...(args.userData ? { userData: args.userData } : {}),
        },
        // User data is first-boot only; an instance named in `rebuild` follows it, and so is replaced.
        { parent: this, ignoreChanges: args.rebuild?.includes(instanceName) ? [] : ["userData"] },
      );
      instances.push(instance);
      for (const v of args.volumes ?? []) {
        volumes.push(
          new ovh.cloudproject.Volume(
            `${instanceName}-${v.key}`,
            {
              serviceName: args.serviceName,
              regionName: args.region,
              name: `${instanceName}-${v.key}`,
              size: v.sizeGb,
              type: v.type ?? "classic",
              instanceId: instance.id,
            },
            { parent: this, protect: args.protectStateful ?? false },
          ),
        );
      }
      if (args.backup) {
        backups.push(
          new ovh.cloudproject.WorkflowBackup(
            `${instanceName}-backup`,
            {
              serviceName: args.serviceName,
              regionName: args.region,
              name: `${instanceName}-backup`,
              instanceId: instance.id,
              cron: args.backup.cron,
              rotation: args.backup.rotation,
            },
            { parent: this },
          ),
        );
      }
    }
    this.instances = instances;
    this.volumes = volumes;
    this.backups = backups;
    const ips = (pred: (ip: string) => boolean) =>
      pulumi.all(instances.map((i) => i.addresses)).apply((all) =>
        all
          .map(
            (a) =>
              a
                .filter((x) => x.version === 4)
                .map((x) => x.ip)
                .find(pred) ?? "",
          )
          .filter((x) => x !== ""),
      );
    const isPrivate = (ip: string) => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip);
    this.privateAddresses = ips(isPrivate);
    this.publicAddresses = ips((ip) => !isPrivate(ip));
    this.addresses = isPublic ? this.publicAddresses : this.privateAddresses;
    this.asked = {
      userDataSha256: userDataSha256(args.userData),
      baseline: readBaselineMarker(args.userData) ?? null,
    };
    this.built = pulumi.all(
      instances.map((instance, i) =>
        instance.userData.apply((userData): BuiltInstance => ({
          name: `${name}-${i + 1}`,
          userDataSha256: userDataSha256(userData),
          baseline: readBaselineMarker(userData) ?? null,
        })),
      ),
    );
    this.registerOutputs({ instances, volumes, backups, addresses: this.addresses, built: this.built });
  }
}
