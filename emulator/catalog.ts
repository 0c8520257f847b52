/**
 * What the emulated OVH account offers: instance flavors, images and load-balancer sizes, with stable per-region
 * UUIDs, read from the project's catalog data file (the one place OVH's offer is written). The emulator shares that
 * data, not the product's code: it imports nothing of the product.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** The parts of the project's catalog data file (blueprints/catalog/ovh.yaml) the emulator serves. */
interface CatalogData {
  readonly flavors: Readonly<Record<string, { vcpus: number; ramGb: number }>>;
  readonly images: readonly string[];
  readonly loadBalancers: { readonly sizes: Readonly<Record<string, unknown>> };
  readonly regions: Readonly<Record<string, { readonly zones?: readonly string[] }>>;
}

function catalogFile(): string {
  // Sources run from emulator/, builds from dist/emulator/: look upward for the catalog data file.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "blueprints", "catalog", "ovh.yaml");
    if (fs.existsSync(file)) return file;
    if (path.dirname(dir) === dir)
      throw new Error(`emulator: no blueprints/catalog/ovh.yaml above ${__dirname}`);
  }
}

let data: CatalogData | undefined;
/** Reads (once per process) OVH's offer from the catalog data file: one fact, read by product and emulator alike. */
function catalogData(): CatalogData {
  data ??= parse(fs.readFileSync(catalogFile(), "utf8")) as CatalogData;
  return data;
}

/** A stable UUID for a catalog item in a region (the same on every run, like real per-region ids). */
export function catalogId(kind: string, region: string, name: string): string {
  const h = createHash("sha1").update(`${kind}/${region}/${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The flavors of a region, as `GET /cloud/project/{sn}/flavor?region=` answers them. */
export function flavors(region: string) {
  return Object.entries(catalogData().flavors).map(([name, f]) => ({
    id: catalogId("flavor", region, name),
    name,
    region,
    vcpus: f.vcpus,
    ram: f.ramGb * 1000,
    disk: 50,
    type: "ovh.ssd.eg",
    osType: "linux",
    available: true,
    inboundBandwidth: 500,
    outboundBandwidth: 500,
    quota: 20,
    planCodes: { hourly: `${name}.consumption`, monthly: `${name}.monthly.postpaid` },
    capabilities: [],
  }));
}

/** The images of a region, as `GET /cloud/project/{sn}/image?region=` answers them. */
export function images(region: string) {
  return catalogData().images.map((name) => ({
    id: catalogId("image", region, name),
    name,
    region,
    type: "linux",
    visibility: "public",
    status: "active",
    creationDate: "2026-01-01T00:00:00Z",
    minDisk: 0,
    minRam: 0,
    size: 2.5,
    flavorType: null,
    planCode: null,
    user: name.split(" ")[0].toLowerCase(),
  }));
}

/** The load-balancer flavors of a region. */
export function loadBalancerFlavors(region: string) {
  return Object.keys(catalogData().loadBalancers.sizes).map((name) => ({
    id: catalogId("lb", region, name),
    name,
    region,
  }));
}

/** The availability zones of a multi-zone region; empty for a one-zone (or unknown) region. */
export function zonesOf(region: string): readonly string[] {
  const regions = catalogData().regions;
  return (Object.hasOwn(regions, region) ? regions[region].zones : undefined) ?? [];
}
