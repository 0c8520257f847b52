/**
 * What the emulated OVH account offers: instance flavors, images and load-balancer sizes, with stable per-region
 * UUIDs. The emulator keeps its own list (like OVH's own catalogue) rather than reading the product's blueprint
 * catalog, so it stays independent of the product; the names are OVH's public names.
 */
import { createHash } from "crypto";

/** Instance flavors: name → vCPUs and RAM (GB). */
const FLAVORS: ReadonlyMap<string, { vcpus: number; ramGb: number }> = new Map([
  ["b3-8", { vcpus: 2, ramGb: 8 }],
  ["b3-16", { vcpus: 4, ramGb: 16 }],
  ["b3-32", { vcpus: 8, ramGb: 32 }],
  ["b3-64", { vcpus: 16, ramGb: 64 }],
  ["c3-4", { vcpus: 2, ramGb: 4 }],
  ["c3-8", { vcpus: 4, ramGb: 8 }],
  ["c3-16", { vcpus: 8, ramGb: 16 }],
  ["r3-16", { vcpus: 2, ramGb: 16 }],
  ["r3-32", { vcpus: 2, ramGb: 32 }],
  ["r3-64", { vcpus: 4, ramGb: 64 }],
  ["d2-4", { vcpus: 2, ramGb: 4 }],
  ["d2-8", { vcpus: 4, ramGb: 8 }],
]);

/** Public images. */
const IMAGES: readonly string[] = [
  "Debian 12",
  "Debian 13",
  "Ubuntu 22.04",
  "Ubuntu 24.04",
  "Rocky Linux 9",
  "AlmaLinux 9",
];

/** Octavia load-balancer sizes. */
const LOAD_BALANCER_SIZES: readonly string[] = ["small", "medium", "large"];

/** A stable UUID for a catalog item in a region (the same on every run, like real per-region ids). */
export function catalogId(kind: string, region: string, name: string): string {
  const h = createHash("sha1").update(`${kind}/${region}/${name}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The flavors of a region, as `GET /cloud/project/{sn}/flavor?region=` answers them. */
export function flavors(region: string) {
  return [...FLAVORS].map(([name, f]) => ({
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
  return IMAGES.map((name) => ({
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
  return LOAD_BALANCER_SIZES.map((name) => ({ id: catalogId("lb", region, name), name, region }));
}
