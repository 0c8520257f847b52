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
import { RemoteStep } from "./remoteStep";
import {
  baselineScripts,
  contentHash,
  operationsScripts,
  stepScripts,
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
  readonly runTeam?: readonly { readonly name: string; readonly sshPublicKey: string }[];
  /** Passwordless sudo for run-team accounts. @default true */
  readonly sudo?: boolean;
  /** Labels written to /etc/majordome/labels. @default {} */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Security updates, monitoring agent and log forwarding, applied by an `operations` step after the baseline
   * (the same rendering as OVH instances' first boot). @default none
   */
  readonly operations?: HostOperations;
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
          create: string;
          delete?: string;
          verify?: { script: string; expected: string };
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
              ...(scripts.verify ? { verify: scripts.verify } : {}),
              ...(scripts.observe ? { observe: scripts.observe } : {}),
              ...(recordHostKey ? { recordHostKey } : {}),
            },
            { parent: this, ...(previous ? { dependsOn: [previous] } : {}) },
          ),
        );
      };
      add("connect", { create: `# majordome: connection check for ${host.key}\nid -un && uname -sr` }, true);
      hostKeys[host.key] = chain[0].hostKeyFingerprint;
      add("baseline", baselineScripts(args.runTeam ?? [], args.sudo ?? true, args.labels ?? {}));
      const operations = args.operations ? operationsScripts(args.operations) : undefined;
      if (operations) {
        add("operations", operations);
        operationsObserved[host.key] = chain[chain.length - 1].observed;
      }
      const hashes = new Map<string, string>();
      for (const step of host.steps) {
        const deps = (step.service?.restartOnChangeOf ?? []).map((d) => hashes.get(d) ?? "");
        const scripts = stepScripts(step, deps);
        hashes.set(step.name, contentHash(scripts.create));
        add(step.name, scripts);
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
