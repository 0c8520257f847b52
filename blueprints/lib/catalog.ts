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
}

/** The catalog, as read from its data file. */
export interface Catalog {
  readonly regions: Readonly<Record<string, { location: string; country: string; s3Region: string }>>;
  readonly flavors: Readonly<Record<string, PricedFlavor>>;
  readonly images: readonly string[];
  readonly volumeTypes: Readonly<Record<string, { monthlyEurPerGb: number }>>;
  readonly kubernetes: { readonly versions: readonly string[]; readonly controlPlaneMonthlyEur: number };
  readonly databases: {
    readonly engines: Readonly<Record<string, { versions: readonly string[]; defaultPort: number }>>;
    readonly plans: Readonly<Record<string, { nodes: number }>>;
    readonly flavors: Readonly<Record<string, PricedFlavor>>;
    readonly storageMonthlyEurPerGb: number;
  };
  readonly objectStorage: { readonly monthlyEurPerGbEstimate: number };
  readonly loadBalancers: { readonly sizes: Readonly<Record<string, { monthlyEur: number }>> };
  readonly gateways: { readonly models: Readonly<Record<string, { monthlyEur: number }>> };
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
