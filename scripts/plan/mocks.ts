/**
 * In-process Pulumi mocks that answer like OVHcloud would: deterministic ids, the outputs other resources
 * read (OpenStack network ids, addresses, endpoints, floating IPs), and catalog lookups. Used by
 * `majordome plan`, the unit tests and the benchmarks — never by a real delivery.
 */
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import { loadCatalog, type Catalog } from "../../blueprints/lib/catalog";

/** A stable fake UUID derived from a name. */
export function fakeUuid(seed: string): string {
  const h = createHash("sha1").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

let privateCounter = 10;
let publicCounter = 10;

/**
 * Every value the mocks made up for a resource's outputs (addresses, OpenStack ids, endpoints, credentials):
 * nothing OVH said. A plan shows them as {@link knownAfterDelivery}, never as if they were real.
 */
const invented = new Map<string, string>();

/** Records a made-up output value with what it stands for (`web-1 private address`), and returns it. */
function invent(value: string, standsFor: string): string {
  invented.set(value, standsFor);
  return value;
}

/** What a plan shows in place of a value only the delivery will know. */
export function knownAfterDelivery(standsFor: string): string {
  return `(${standsFor}, known after delivery)`;
}

/**
 * `value` with every made-up output value in it (whole or inside a longer text) replaced by what it stands for
 * ({@link knownAfterDelivery}): what a reviewer needs (which server's private address a rule allows), without a
 * fake address or id that looks real.
 */
export function withKnownAfterDelivery(value: unknown): unknown {
  if (typeof value === "string") {
    let text = value;
    // Longest first, so that a value containing a shorter one is replaced whole.
    for (const [v, standsFor] of [...invented].sort(([a], [b]) => b.length - a.length))
      if (text.includes(v)) text = text.split(v).join(knownAfterDelivery(standsFor));
    return text;
  }
  if (Array.isArray(value)) return value.map(withKnownAfterDelivery);
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withKnownAfterDelivery(v)]));
  return value;
}

/** Plausible outputs for a resource, from its type and inputs. */
function stateFor(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (type) {
    case "ovh:CloudProject/networkPrivate:NetworkPrivate": {
      const regions = (inputs.regions as string[] | undefined) ?? [];
      return {
        ...inputs,
        status: "ACTIVE",
        regionsOpenstackIds: Object.fromEntries(
          regions.map((r) => [r, invent(fakeUuid(`${name}/${r}`), `${name} network id in ${r}`)]),
        ),
      };
    }
    case "ovh:CloudProject/instance:Instance": {
      const net = inputs.network as { public?: boolean; private?: unknown } | undefined;
      const addresses = [];
      if (net?.private)
        addresses.push({
          ip: invent(
            `10.0.${Math.floor(privateCounter / 250)}.${(privateCounter++ % 250) + 2}`,
            `${name} private address`,
          ),
          version: 4,
        });
      if (net?.public)
        addresses.push({
          ip: invent(`203.0.113.${(publicCounter++ % 250) + 2}`, `${name} public address`),
          version: 4,
        });
      return { ...inputs, status: "ACTIVE", addresses };
    }
    case "ovh:CloudProject/kube:Kube":
      return {
        ...inputs,
        status: "READY",
        url: invent(`https://${fakeUuid(name).slice(0, 8)}.c1.gra.k8s.ovh.net`, `${name} API URL`),
        kubeconfig: invent(
          `apiVersion: v1\nkind: Config\n# mock kubeconfig for ${name}\n`,
          `${name} kubeconfig`,
        ),
      };
    case "ovh:CloudProject/database:Database":
      return {
        ...inputs,
        status: "READY",
        endpoints: [
          {
            component: inputs.engine,
            domain: invent(`${name}.database.cloud.ovh.net`, `${name} host name`),
            port: loadCatalog().databases.engines[inputs.engine as string]?.defaultPort,
            scheme: inputs.engine,
            ssl: true,
          },
        ],
      };
    case "ovh:CloudProjectDatabase/postgresSqlUser:PostgresSqlUser":
    case "ovh:CloudProjectDatabase/user:User":
      return {
        ...inputs,
        password: invent(`mock-password-${fakeUuid(name).slice(0, 8)}`, `${name} password`),
        status: "READY",
      };
    case "ovh:CloudProject/user:User":
      return {
        ...inputs,
        username: invent(`user-${fakeUuid(name).slice(0, 10)}`, `${name} user name`),
        password: invent(`mock-user-password-${fakeUuid(name).slice(0, 8)}`, `${name} password`),
        status: "ok",
      };
    case "ovh:CloudProject/s3Credential:S3Credential":
      return {
        ...inputs,
        accessKeyId: invent(fakeUuid(name).replace(/-/g, "").slice(0, 20), `${name} access key`),
        secretAccessKey: invent(`mock-secret-${fakeUuid(name).slice(0, 8)}`, `${name} secret key`),
      };
    case "ovh:CloudProject/loadBalancer:LoadBalancer":
      return {
        ...inputs,
        floatingIp: {
          id: invent(fakeUuid(`${name}/fip`), `${name} floating IP id`),
          ip: invent(`198.51.100.${(publicCounter++ % 250) + 2}`, `${name} floating IP`),
        },
        vipAddress: invent(`10.0.255.${(publicCounter++ % 250) + 2}`, `${name} private address`),
      };
    case "ovh:index/cloudProjectSshKey:CloudProjectSshKey":
      return {
        ...inputs,
        fingerPrint: invent(`mock-fingerprint-${fakeUuid(name).slice(0, 8)}`, `${name} fingerprint`),
      };
    default:
      return inputs;
  }
}

/** Answers the provider lookups (flavors, images, load balancer flavors) from the catalog. */
function callResult(token: string, args: Record<string, unknown>, catalog: Catalog): Record<string, unknown> {
  const region = String(args.region ?? args.regionName ?? "");
  switch (token) {
    case "ovh:CloudProject/getFlavors:getFlavors":
      return {
        ...args,
        flavors: Object.keys(catalog.flavors).map((name) => ({
          id: fakeUuid(`flavor/${region}/${name}`),
          name,
          region,
          osType: "linux",
          available: true,
        })),
      };
    case "ovh:CloudProject/getImages:getImages":
      return {
        ...args,
        images: catalog.images.map((name) => ({
          id: fakeUuid(`image/${region}/${name}`),
          name,
          region,
          status: "active",
          type: "linux",
        })),
      };
    case "ovh:CloudProject/getLoadBalancerFlavors:getLoadBalancerFlavors":
      return {
        ...args,
        flavors: Object.keys(catalog.loadBalancers.sizes).map((name) => ({
          id: fakeUuid(`lb/${region}/${name}`),
          name,
          region,
        })),
      };
    default:
      throw new Error(`unexpected provider call in plan mocks: ${token}`);
  }
}

/** Resolved inputs of every registered resource, by `type::name`. */
export type InputRegistry = Map<string, Record<string, unknown>>;

/** Installs the OVH-shaped mocks for project `project`, stack `stack`; returns the inputs registry. */
export function installMocks(catalog: Catalog, stack = "plan", project = "majordome"): InputRegistry {
  privateCounter = 10;
  publicCounter = 10;
  invented.clear();
  const registry: InputRegistry = new Map();
  pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        registry.set(`${a.type}::${a.name}`, a.inputs as Record<string, unknown>);
        return {
          id: a.custom ? `${a.name}-id` : undefined,
          state: stateFor(a.type, a.name, a.inputs as Record<string, unknown>),
        };
      },
      call: (a) => callResult(a.token, a.inputs as Record<string, unknown>, catalog),
    },
    project,
    stack,
    false,
  );
  return registry;
}

/** One resource as the plan saw it. */
export interface PlannedResource {
  readonly type: string;
  readonly name: string;
  /** The parent's `type::name` (names alone are not unique: a component and its main child share one). */
  readonly parent?: string;
  readonly protect: boolean;
  readonly inputs: Record<string, unknown>;
}

/**
 * A transformation that records every resource constructed under the component it is attached to
 * (transformations are inherited by children), with its parent and protect flag.
 */
export function recorder(): { transformation: pulumi.ResourceTransformation; resources: PlannedResource[] } {
  const names = new WeakMap<pulumi.Resource, string>();
  const resources: PlannedResource[] = [];
  const transformation: pulumi.ResourceTransformation = (args) => {
    names.set(args.resource, `${args.type}::${args.name}`);
    resources.push({
      type: args.type,
      name: args.name,
      ...(args.opts.parent && names.has(args.opts.parent) ? { parent: names.get(args.opts.parent) } : {}),
      protect: args.opts.protect === true,
      inputs: args.props as Record<string, unknown>,
    });
    return undefined;
  };
  return { transformation, resources };
}

/** Waits until outputs have resolved and no more resources are being registered. */
export async function settle(
  output: pulumi.Output<unknown>,
  registry: { readonly size: number },
): Promise<void> {
  await new Promise<void>((resolve) => output.apply(() => resolve()));
  let stable = 0;
  let last = -1;
  while (stable < 3) {
    await new Promise((r) => setImmediate(r));
    stable = registry.size === last ? stable + 1 : 0;
    last = registry.size;
  }
}
