/** The OVHcloud catalog data file (blueprints/catalog/ovh.yaml): what blueprints may name, and list prices. */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { BLUEPRINTS_DIR } from "../../base/paths";

/** A priced thing with an optional size. */
export interface PricedFlavor {
  readonly vcpus: number;
  readonly ramGb: number;
  readonly monthlyEur: number;
  /** Boot disk of an instance flavor, in GB (sizes its backups). */
  readonly diskGb?: number;
  /** Storage per node a database flavor's price includes, in GB. */
  readonly includedDiskGb?: number;
}

/** What prices a resource type (a section of the catalog), or why it costs nothing. */
export type ResourcePricing = { readonly priced: string } | { readonly free: string };

/** Where a section's prices come from, as of when, and how a monthly figure is derived. */
export interface PriceSource {
  readonly source: string;
  /** When the figures were taken (YYYY-MM-DD). */
  readonly asOf: string;
  /** "hourly x 730", "monthly", "monthly per GB"… */
  readonly basis: string;
}

/** A region of the catalog. */
export interface CatalogRegion {
  readonly location: string;
  readonly country: string;
  readonly s3Region: string;
  /** Availability zones of a multi-zone region; absent for a one-zone region. */
  readonly zones?: readonly string[];
}

/** A managed database engine: what OVH sells for it. */
export interface DatabaseEngine {
  readonly versions: readonly string[];
  readonly defaultPort: number;
  /** OVH plan names sold for this engine (keys of `databases.plans`). */
  readonly plans: readonly string[];
  /** User names OVH owns on every cluster of this engine. */
  readonly reservedUsers: readonly string[];
}

/** A managed database plan. */
export interface DatabasePlan {
  /** Nodes per cluster (the default). */
  readonly nodes: number;
  /** The node counts OVH accepts for the plan. */
  readonly nodeCounts: readonly number[];
  /** Whether a cluster of this plan may be attached to a private network. */
  readonly privateNetwork: boolean;
}

/** Something a load balancer feature needs before OVH accepts it. */
export type LoadBalancerRequirement = "gateway" | "certificate";

/** The catalog, as read from its data file. */
export interface Catalog {
  readonly regions: Readonly<Record<string, CatalogRegion>>;
  readonly flavors: Readonly<Record<string, PricedFlavor>>;
  readonly images: readonly string[];
  readonly volumeTypes: Readonly<Record<string, { monthlyEurPerGb: number }>>;
  readonly kubernetes: {
    readonly versions: readonly string[];
    /** The plan OVH applies when a cluster is created without one (a blueprint without `kubernetes.plan`). */
    readonly defaultPlan: string;
    /** Cluster plans, the regions where each is sold, and the control plane's price when known. */
    readonly plans: Readonly<
      Record<string, { readonly regions: readonly string[]; readonly controlPlaneMonthlyEur?: number }>
    >;
  };
  readonly databases: {
    readonly engines: Readonly<Record<string, DatabaseEngine>>;
    readonly plans: Readonly<Record<string, DatabasePlan>>;
    readonly flavors: Readonly<Record<string, PricedFlavor>>;
    readonly storageMonthlyEurPerGb: number;
  };
  readonly objectStorage: { readonly monthlyEurPerGbEstimate: number };
  readonly backups: { readonly monthlyEurPerGb: number };
  readonly floatingIps: { readonly monthlyEur: number };
  readonly dns: { readonly recordMonthlyEur: number };
  readonly loadBalancers: {
    readonly sizes: Readonly<Record<string, { monthlyEur: number }>>;
    readonly floatingIp: { readonly requires: readonly LoadBalancerRequirement[] };
    readonly listenerProtocols: Readonly<Record<string, { requires: readonly LoadBalancerRequirement[] }>>;
  };
  readonly gateways: { readonly models: Readonly<Record<string, { monthlyEur: number }>> };
  readonly pricing: {
    readonly currency: string;
    readonly hoursPerMonth: number;
    /** Per price section (a top-level key of the catalog). */
    readonly sources: Readonly<Record<string, PriceSource>>;
    /** Per resource type the program creates. */
    readonly resourceTypes: Readonly<Record<string, ResourcePricing>>;
  };
}

/** Default location of the catalog shipped with the project. */
export const DEFAULT_CATALOG_FILE = path.join(BLUEPRINTS_DIR, "catalog", "ovh.yaml");

const cache = new Map<string, Catalog>();

/** Reads (once per process) and returns the catalog. */
export function loadCatalog(file: string = DEFAULT_CATALOG_FILE): Catalog {
  const cached = cache.get(file);
  if (cached) return cached;
  const catalog = parse(fs.readFileSync(file, "utf8")) as Catalog;
  cache.set(file, catalog);
  return catalog;
}

/**
 * The entry named `key` in a catalog table, or undefined. Names come from users, so only the table's own
 * entries count: `in` or a bare index would find `constructor` or `__proto__` on every object.
 */
export function entry<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
