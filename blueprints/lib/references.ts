/**
 * Cross-environment references: an environment uses another environment's network (`network.from`) or values it
 * exports (`imports`), always within one client. This module holds the pure parts: what an environment
 * references, the environments it therefore depends on, the `${imports.<name>}` placeholders of host steps, and
 * which inventory paths an environment exports (checked against its blueprint). The loader resolves the
 * referenced blueprints (I/O, cycles); the program reads the values through stack references.
 */
import { carve, formatCidr, parseCidr } from "./cidr";
import { didYouMean } from "./hints";
import type {
  EnvironmentBlueprint,
  Network,
  NetworkReference,
  ResolvedEnvironment,
  SharedNetwork,
  Subnet,
} from "./model";
import type { Path } from "./rules";

/** Whether a `network` section names another environment's network instead of describing one. */
export function isNetworkReference(n: Network | NetworkReference | undefined): n is NetworkReference {
  return n !== undefined && "from" in n;
}

/**
 * The network the environment's resources sit on, in its own form. Undefined for a reference: the loader gives
 * the semantic rules a view in which a resolved reference is replaced by the referenced network
 * ({@link withSharedNetwork}), so the rules about "a private network" read the one that will be used.
 */
export function networkOf(env: EnvironmentBlueprint): Network | undefined {
  return isNetworkReference(env.network) ? undefined : env.network;
}

/** The environment's more networks (`networks`) of its own form, in blueprint order (`from` entries are refused). */
export function additionalNetworks(env: EnvironmentBlueprint): [string, Network][] {
  return Object.entries(env.networks ?? {}).flatMap(([name, n]): [string, Network][] =>
    isNetworkReference(n) ? [] : [[name, n]],
  );
}

/**
 * The network a resource sits on: the one of `networks` it names, or the primary (`network`, as {@link networkOf}
 * reads it) when it names none. Undefined for a name `networks` lacks (refused by `network.unknown`).
 */
export function networkNamed(env: EnvironmentBlueprint, name: string | undefined): Network | undefined {
  if (name === undefined) return networkOf(env);
  const n = env.networks && Object.hasOwn(env.networks, name) ? env.networks[name] : undefined;
  return isNetworkReference(n) ? undefined : n;
}

/** A network choice in messages: `network "backend"`, or the primary. */
export function networkLabel(name: string | undefined): string {
  return name === undefined ? "the primary network" : `network "${name}"`;
}

/** Where a network choice is written, for hints: `network` (the primary) or `networks.<name>`. */
export function networkPath(name: string | undefined): string {
  return name === undefined ? "network" : `networks.${name}`;
}

/** One reference to another environment, and where it is written. */
export interface EnvironmentReference {
  /** `<client>/<environment>`. */
  readonly selector: string;
  /** Path of the `from` field in the document. */
  readonly at: Path;
  /** What the reference is for, in messages. */
  readonly what: string;
}

/** Every reference the environment makes, in document order (network first, then imports). */
export function referencesOf(env: EnvironmentBlueprint): EnvironmentReference[] {
  const refs: EnvironmentReference[] = [];
  if (isNetworkReference(env.network))
    refs.push({ selector: env.network.from, at: ["network", "from"], what: "network" });
  for (const [name, imp] of Object.entries(env.imports ?? {}))
    refs.push({ selector: imp.from, at: ["imports", name, "from"], what: `import "${name}"` });
  return refs;
}

/** `metadata.dependsOn` and every environment a reference names, each once, in that order. */
export function impliedDependencies(env: EnvironmentBlueprint): string[] {
  return [...new Set([...(env.metadata.dependsOn ?? []), ...referencesOf(env).map((r) => r.selector)])];
}

/** The subnets of a network: declared, or one /24 per target region carved in order from its block. */
export function subnetsOf(network: Network, regions: readonly string[]): Subnet[] {
  if (network.subnets && network.subnets.length > 0) return [...network.subnets];
  const parsed = parseCidr(network.cidr);
  if (!parsed.ok) return [];
  return regions.flatMap((region, i) => {
    const block = carve(parsed.cidr, 24, i);
    return block ? [{ name: region.toLowerCase(), region, cidr: formatCidr(block) }] : [];
  });
}

/**
 * The region of the network's gateway: `network.gateway.region` when pinned, else the first target region that has
 * a subnet (the first target region, in practice). Never the order of `network.subnets`: reordering that list is
 * cosmetic and must not move (replace) the gateway. Falls back to the first subnet's region only when no target
 * region has a subnet (a blueprint `validate` refuses for its servers anyway). Undefined without subnets.
 */
export function gatewayRegionOf(network: Network, targetRegions: readonly string[]): string | undefined {
  if (network.gateway?.region) return network.gateway.region;
  const subnets = subnetsOf(network, targetRegions);
  return targetRegions.find((r) => subnets.some((s) => s.region === r)) ?? subnets[0]?.region;
}

/** The network of `owner` (an environment with a network of its own), as `from` uses it. */
export function sharedNetworkOf(owner: EnvironmentBlueprint, from: string): SharedNetwork | undefined {
  const n = networkOf(owner);
  if (!n) return undefined;
  return {
    from,
    cidr: n.cidr,
    vlanId: n.vlanId,
    subnets: subnetsOf(n, owner.target?.regions ?? []),
    ...(n.gateway
      ? { gateway: { ...n.gateway, region: gatewayRegionOf(n, owner.target?.regions ?? []) ?? "" } }
      : {}),
  };
}

/** The view the semantic rules check: the environment with its network reference replaced by the network. */
export function withSharedNetwork(env: EnvironmentBlueprint, shared: SharedNetwork): EnvironmentBlueprint {
  return {
    ...env,
    network: {
      vlanId: shared.vlanId,
      cidr: shared.cidr,
      subnets: shared.subnets,
      ...(shared.gateway ? { gateway: shared.gateway } : {}),
    },
  };
}

/** Resources that sit on the private network, with their region (defaulted) and where that region is written. */
export function networkUsers(env: EnvironmentBlueprint): NetworkUser[] {
  const first = env.target?.regions[0];
  const out: NetworkUser[] = [];
  const add = (what: string, r: { region?: string; network?: string }, at: Path) => {
    const region = r.region ?? first;
    if (region === undefined) return;
    out.push({
      what,
      region,
      at:
        r.region !== undefined
          ? [...at, "region"]
          : r.network !== undefined
            ? [...at, "network"]
            : ["network", "from"],
      ...(r.network !== undefined ? { network: r.network, networkAt: [...at, "network"] } : {}),
    });
  };
  env.servers?.forEach((s, i) => add(`server group "${s.name}"`, s, ["servers", i]));
  if (env.kubernetes) add("Kubernetes", env.kubernetes, ["kubernetes"]);
  env.databases?.forEach((d, i) => add(`database "${d.name}"`, d, ["databases", i]));
  env.loadBalancers?.forEach((lb, i) => add(`load balancer "${lb.name}"`, lb, ["loadBalancers", i]));
  return out;
}

/** A resource that sits on a private network. */
export interface NetworkUser {
  /** The resource, in messages. */
  readonly what: string;
  /** Its region (defaulted to the first target region). */
  readonly region: string;
  /** Where its region is written (or, defaulted, where the network it lands on is named). */
  readonly at: Path;
  /** The name of `networks` it chose; absent: the primary `network`. */
  readonly network?: string;
  /** Where that choice is written. */
  readonly networkAt?: Path;
}

/** The `${imports.<name>}` placeholder syntax. */
const PLACEHOLDER = /\$\{imports\.([^}]*)\}/g;

/** The import names `text` uses, in order (repeats kept). */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/** Replaces every `${imports.<name>}` in `text` with its value; a name without a value is an internal error. */
export function substituteImports(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    if (!Object.hasOwn(values, name)) throw new Error(`internal error: no value for \${imports.${name}}`);
    return values[name];
  });
}

/** The fields each keyed inventory section exports per item (what the families write). */
const ITEM_FIELDS: Readonly<Record<string, readonly string[]>> = {
  servers: ["count", "flavor", "image", "region", "public", "role", "addresses"],
  databases: ["engine", "version", "plan", "host", "port", "users", "databases", "allowedFrom"],
  buckets: ["name", "region", "versioning", "endpoint", "access"],
  loadBalancers: ["address", "listeners"],
  hosts: ["address", "port", "user", "roles", "steps", "hostKey"],
  networks: ["id", "cidr", "vlanId", "subnets", "openstackIds", "subnetIds", "gatewayId"],
};

/** Fields of the single-item sections. */
const SECTION_FIELDS: Readonly<Record<string, readonly string[]>> = {
  network: ["id", "cidr", "vlanId", "subnets", "openstackIds", "subnetIds", "gatewayId"],
  kubernetes: ["name", "version", "region", "url", "nodePools"],
  dns: ["zone", "records"],
};

/**
 * Why `output` names nothing the environment `owner` exports, judged from its blueprint; undefined when it
 * does (or when the part of the path past the checked depth cannot be judged before delivery).
 */
export function outputPathProblem(owner: ResolvedEnvironment, output: string): string | undefined {
  const [section, second, third] = output.split(".");
  const whose = `${owner.client}/${owner.environment}`;
  const present: Record<string, readonly string[] | undefined> = {
    servers: owner.servers.map((s) => s.name),
    databases: owner.databases.map((d) => d.name),
    buckets: owner.buckets.map((b) => b.name),
    loadBalancers: owner.loadBalancers.map((l) => l.name),
    hosts: owner.hosts.map((h) => h.name),
    networks: owner.networks.map((n) => n.name),
  };
  const single: Record<string, boolean> = {
    network: owner.network !== undefined,
    kubernetes: owner.kubernetes !== undefined,
    dns: owner.dns !== undefined,
  };
  const plain = ["client", "environment", "tier", "labels"];
  const exported = [
    ...plain,
    ...Object.keys(present).filter((k) => present[k]?.length),
    ...Object.keys(single).filter((k) => single[k]),
  ];
  if (plain.includes(section)) return undefined;
  const keyed = present[section];
  if (keyed?.length) {
    if (second === undefined)
      return `"${output}" is a whole section; name one value, e.g. ${section}.${keyed[0]}.${ITEM_FIELDS[section][0]}`;
    if (!keyed.includes(second))
      return `${whose} has no ${section} item "${second}" (it has: ${keyed.join(", ")})`;
    if (third === undefined || ITEM_FIELDS[section].includes(third)) return undefined;
    return `${section}.${second} exports no "${third}" (it exports: ${ITEM_FIELDS[section].join(", ")})${hint(third, ITEM_FIELDS[section])}`;
  }
  if (single[section]) {
    if (second === undefined || SECTION_FIELDS[section].includes(second)) return undefined;
    return `${section} exports no "${second}" (it exports: ${SECTION_FIELDS[section].join(", ")})${hint(second, SECTION_FIELDS[section])}`;
  }
  return `${whose} exports no "${section}" (it exports: ${exported.join(", ")})${hint(section, exported)}`;
}

function hint(value: string, options: readonly string[]): string {
  const d = didYouMean(value, options);
  return d ? `; ${d}` : "";
}
