/**
 * HostGroup: servers that already exist, reached over SSH. For each host, in order: a connection check, the
 * operations baseline (run-team accounts, labels), then the host's own build steps — each a {@link RemoteStep}
 * whose script embeds everything it depends on, so a second `up` with no change does nothing and changing one
 * file re-runs only that step (and the services that restart on it).
 *
 * The private key is an input the caller takes from stack secrets; RemoteStep keeps the connection secret,
 * so the key never appears in state, logs or outputs in plain text.
 */
import * as pulumi from "@pulumi/pulumi";
import { RemoteStep, type RemoteStepArgs } from "./remoteStep";
import {
  baselineScripts,
  contentHash,
  operationsScripts,
  stepScripts,
  substituteImports,
  usesImports,
  type HostOperations,
  type HostStep,
} from "./steps";

/** One host and its steps. */
export interface HostArgs {
  /** Stable key; children are named `<component>-<key>-<step>`. */
  readonly key: string;
  readonly address: string;
  /** @default 22 */
  readonly port?: number;
  /** @default "root" */
  readonly user?: string;
  /** The private key (PEM/OpenSSH text), from a stack secret. */
  readonly privateKey: pulumi.Input<string>;
  /**
   * The host key the server must show (OpenSSH public key line or `SHA256:` fingerprint); any other is
   * refused. @default none: the key is recorded (see {@link HostGroup.hostKeys}) for the caller to pin
   */
  readonly hostKey?: string;
  readonly steps: readonly HostStep[];
}

/** Arguments of {@link HostGroup}. */
export interface HostGroupArgs {
  readonly hosts: readonly HostArgs[];
  /** Run-team accounts the baseline creates on every host. @default none */
  readonly runTeam?: readonly {
    readonly name: string;
    readonly sshPublicKey: string;
    /** Addresses the key may be used from (authorized_keys `from=`). @default any */
    readonly sourceCidrs?: readonly string[];
  }[];
  /** Passwordless sudo for run-team accounts. @default true */
  readonly sudo?: boolean;
  /** Labels written by the baseline step (see {@link HostGroupArgs.environmentId}). @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * How the environment names itself on its hosts (`<client>.<environment>`, see `hostEnvironmentId`): its labels
   * file and the list of accounts it grants are its own, so environments sharing a host do not undo each other.
   * @default none: labels in /etc/majordome/labels, and destroy removes the run-team accounts
   */
  readonly environmentId?: string;
  /**
   * Security updates, monitoring agent and log forwarding, applied by an `operations` step after the baseline
   * (the same rendering as OVH instances' first boot). @default none
   */
  readonly operations?: HostOperations;
  /**
   * Values of `${imports.<name>}` placeholders in step file content and run scripts (values other environments
   * exported, known at delivery). A step that uses one gets its scripts once the values are known.
   * @default none: placeholders stay as written
   */
  readonly imports?: pulumi.Input<Readonly<Record<string, string>>>;
}

/** Applies build steps to SSH-reached hosts. */
export class HostGroup extends pulumi.ComponentResource {
  /** Step names per host, in the order they run (connect and baseline first). */
  readonly stepNames: Readonly<Record<string, readonly string[]>>;
  /** Every step resource, per host, in order. */
  readonly steps: Readonly<Record<string, readonly RemoteStep[]>>;
  /** Per host, the SHA256 fingerprint of the host key its server showed (recorded by the connect step). */
  readonly hostKeys: Readonly<Record<string, pulumi.Output<string | undefined>>>;
  /**
   * Per host with an `operations` step, what that step observed on the host after its last apply or refresh
   * (`item: value` facts: update timer, monitoring agent and its ports, log forwarding target and protocol).
   */
  readonly operationsObserved: Readonly<Record<string, pulumi.Output<Record<string, string> | undefined>>>;

  constructor(name: string, args: HostGroupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("majordome:host:HostGroup", name, {}, opts);
    const keys = args.hosts.map((h) => h.key);
    if (new Set(keys).size !== keys.length)
      throw new Error(`HostGroup "${name}": [hosts] keys must be unique`);
    const stepNames: Record<string, string[]> = {};
    const steps: Record<string, RemoteStep[]> = {};
    const hostKeys: Record<string, pulumi.Output<string | undefined>> = {};
    const operationsObserved: Record<string, pulumi.Output<Record<string, string> | undefined>> = {};
    for (const host of args.hosts) {
      const names = host.steps.map((s) => s.name);
      if (new Set(names).size !== names.length)
        throw new Error(`HostGroup "${name}": host "${host.key}" has duplicate step names`);
      const connection = {
        host: host.address,
        port: host.port ?? 22,
        user: host.user ?? "root",
        privateKey: pulumi.secret(host.privateKey),
        ...(host.hostKey ? { hostKey: host.hostKey } : {}),
      };
      const prefix = `${name}-${host.key}`;
      const chain: RemoteStep[] = [];
      const add = (
        step: string,
        scripts: {
          create: pulumi.Input<string>;
          delete?: pulumi.Input<string>;
          verify?: pulumi.Input<{ script: string; expected: string } | undefined>;
          observe?: string;
        },
        recordHostKey = false,
      ) => {
        const previous = chain[chain.length - 1];
        chain.push(
          new RemoteStep(
            `${prefix}-${step}`,
            {
              hostName: host.key,
              stepName: step,
              connection,
              create: scripts.create,
              ...(scripts.delete ? { delete: scripts.delete } : {}),
              ...(scripts.verify ? { verify: scripts.verify as RemoteStepArgs["verify"] } : {}),
              ...(scripts.observe ? { observe: scripts.observe } : {}),
              ...(recordHostKey ? { recordHostKey } : {}),
            },
            { parent: this, ...(previous ? { dependsOn: [previous] } : {}) },
          ),
        );
      };
      add("connect", { create: `# majordome: connection check for ${host.key}\nid -un && uname -sr` }, true);
      hostKeys[host.key] = chain[0].hostKeyFingerprint;
      add(
        "baseline",
        baselineScripts(args.runTeam ?? [], args.sudo ?? true, args.labels ?? {}, args.environmentId),
      );
      const operations = args.operations ? operationsScripts(args.operations) : undefined;
      if (operations) {
        add("operations", operations);
        operationsObserved[host.key] = chain[chain.length - 1].observed;
      }
      const hashes = new Map<string, pulumi.Input<string>>();
      for (const step of host.steps) {
        const deps = (step.service?.restartOnChangeOf ?? []).map((d) => hashes.get(d) ?? "");
        if (!args.imports || (!usesImports(step) && deps.every((d) => typeof d === "string"))) {
          const scripts = stepScripts(step, deps as string[]);
          hashes.set(step.name, contentHash(scripts.create));
          add(step.name, scripts);
          continue;
        }
        // The step's scripts depend on imported values (or on a step that does): known at delivery only.
        const scripts = pulumi
          .all([pulumi.output(args.imports), pulumi.all(deps)])
          .apply(([values, known]) => stepScripts(substituteImports(step, values), known));
        hashes.set(
          step.name,
          scripts.apply((x) => contentHash(x.create)),
        );
        add(step.name, {
          create: scripts.apply((x) => x.create),
          delete: scripts.apply((x) => x.delete ?? ""),
          verify: scripts.apply((x) => x.verify),
        });
      }
      stepNames[host.key] = ["connect", "baseline", ...(operations ? ["operations"] : []), ...names];
      steps[host.key] = chain;
    }
    this.stepNames = stepNames;
    this.steps = steps;
    this.hostKeys = hostKeys;
    this.operationsObserved = operationsObserved;
    this.registerOutputs({ stepNames });
  }
}
