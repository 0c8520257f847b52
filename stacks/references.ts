/**
 * Reading what other environments exported. An environment that uses another's network (`network.from`) or
 * imports its values (`imports`) reads them from that environment's delivered `inventory` output; a delivery
 * reads it through a Pulumi StackReference, `majordome plan` (which delivers nothing) through placeholders.
 */
import * as pulumi from "@pulumi/pulumi";

/** The value at a dot-separated `path` of the inventory of environment `selector` (`<client>/<environment>`). */
export type ReferenceReader = (selector: string, path: string) => pulumi.Output<unknown>;

/** The value at `path` in `inventory`, or undefined. */
export function valueAt(inventory: unknown, path: string): unknown {
  let here: unknown = inventory;
  for (const key of path.split(".")) {
    if (here === null || typeof here !== "object" || !Object.hasOwn(here, key)) return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

/**
 * Reads through one StackReference per referenced environment, created on first use under `opts`. A path the
 * delivered inventory lacks fails the run by name (the other environment was delivered by an older blueprint,
 * or without the thing imported): `majordome deliver` checks beforehand that the stack exists and has outputs.
 */
export function stackReferenceReader(
  self: string,
  project: string,
  opts?: pulumi.CustomResourceOptions,
): { read: ReferenceReader; inventory: (selector: string) => pulumi.Output<unknown> } {
  const refs = new Map<string, pulumi.Output<unknown>>();
  const inventoryOf = (selector: string) => {
    let inventory = refs.get(selector);
    if (!inventory) {
      const stack = selector.replace("/", "-");
      inventory = new pulumi.StackReference(
        `${self}-uses-${stack}`,
        { name: `organization/${project}/${stack}` },
        opts,
      ).getOutput("inventory");
      refs.set(selector, inventory);
    }
    return inventory;
  };
  return {
    read: (selector, path) =>
      inventoryOf(selector).apply((inventory) => {
        const value = valueAt(inventory, path);
        if (value === undefined)
          throw new pulumi.RunError(
            `${selector} exports no "${path}" in its delivered outputs; deliver ${selector} again with its current blueprint`,
          );
        return value;
      }),
    inventory: inventoryOf,
  };
}

/** For plans: each referenced value shown as `<client/env: path>`, since nothing is read before delivery. */
export const placeholderReader: ReferenceReader = (selector, path) => pulumi.output(`<${selector}: ${path}>`);

/** A referenced value as text for a host step: strings as they are, anything else as JSON. */
export function asText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
