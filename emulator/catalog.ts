/**
 * What the emulated OVH account offers (flavors, images, load balancer sizes), read from the project's catalog
 * data file. The emulator shares that data, not the product's code: it imports nothing of the product.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";

/** The parts of the catalog the emulator serves. */
export interface EmulatedCatalog {
  readonly flavors: Readonly<Record<string, { vcpus: number; ramGb: number }>>;
  readonly images: readonly string[];
  readonly loadBalancers: { readonly sizes: Readonly<Record<string, unknown>> };
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

let cached: EmulatedCatalog | undefined;

/** Reads (once per process) the catalog the emulated account offers. */
export function emulatedCatalog(): EmulatedCatalog {
  cached ??= parse(fs.readFileSync(catalogFile(), "utf8")) as EmulatedCatalog;
  return cached;
}
