/**
 * Catalog names to OVH ids: flavors, images and load-balancer flavors are per-region UUIDs, so the program
 * looks them up through the provider (one invoke per kind and region, cached) instead of hard-coding ids.
 */
import * as ovh from "@ovhcloud/pulumi-ovh";
import * as pulumi from "@pulumi/pulumi";

/** Cached id lookups for one project. */
export class OvhLookups {
  private readonly flavors = new Map<
    string,
    pulumi.Output<ovh.types.output.CloudProject.GetFlavorsFlavor[]>
  >();
  private readonly images = new Map<string, pulumi.Output<ovh.types.output.CloudProject.GetImagesImage[]>>();
  private readonly lbFlavors = new Map<
    string,
    pulumi.Output<ovh.types.output.CloudProject.GetLoadBalancerFlavorsFlavor[]>
  >();

  constructor(
    private readonly serviceName: pulumi.Input<string>,
    private readonly opts: pulumi.InvokeOutputOptions = {},
  ) {}

  /** The UUID of instance flavor `name` in `region`. */
  flavorId(region: string, name: string): pulumi.Output<string> {
    if (!this.flavors.has(region))
      this.flavors.set(
        region,
        ovh.cloudproject.getFlavorsOutput({ serviceName: this.serviceName, region }, this.opts).flavors,
      );
    return (
      this.flavors.get(region) as pulumi.Output<ovh.types.output.CloudProject.GetFlavorsFlavor[]>
    ).apply((all) => pick(all, name, `flavor "${name}" in ${region}`));
  }

  /** The UUID of image `name` in `region`. */
  imageId(region: string, name: string): pulumi.Output<string> {
    if (!this.images.has(region))
      this.images.set(
        region,
        ovh.cloudproject.getImagesOutput(
          { serviceName: this.serviceName, region, osType: "linux" },
          this.opts,
        ).images,
      );
    return (this.images.get(region) as pulumi.Output<ovh.types.output.CloudProject.GetImagesImage[]>).apply(
      (all) => pick(all, name, `image "${name}" in ${region}`),
    );
  }

  /** The UUID of load-balancer flavor `size` (small, medium, large) in `region`. */
  loadBalancerFlavorId(region: string, size: string): pulumi.Output<string> {
    if (!this.lbFlavors.has(region))
      this.lbFlavors.set(
        region,
        ovh.cloudproject.getLoadBalancerFlavorsOutput(
          { serviceName: this.serviceName, regionName: region },
          this.opts,
        ).flavors,
      );
    return (
      this.lbFlavors.get(region) as pulumi.Output<
        ovh.types.output.CloudProject.GetLoadBalancerFlavorsFlavor[]
      >
    ).apply((all) => pick(all, size, `load balancer size "${size}" in ${region}`));
  }
}

function pick(all: readonly { id: string; name: string }[], name: string, what: string): string {
  const found = all.find((x) => x.name === name);
  if (!found)
    throw new pulumi.RunError(
      `${what} is not offered by this OVH project (offered: ${all.map((x) => x.name).join(", ") || "none"})`,
    );
  return found.id;
}
