/** Family: the managed Kubernetes cluster and its node pools. */
import { KubernetesCluster } from "../../components/ovh";
import type { Family, OvhFamilyContext } from "./context";

/** Builds the cluster; its kubeconfig goes to the secret outputs. */
export const kubernetes: Family<OvhFamilyContext> = {
  name: "kubernetes",
  build(ctx) {
    const k = ctx.env.kubernetes;
    if (!k) return;
    const net = ctx.placement(k.region, k.network);
    const kube = new KubernetesCluster(
      k.resourceName,
      {
        serviceName: ctx.serviceName,
        region: k.region,
        version: k.version,
        ...(k.plan ? { plan: k.plan } : {}),
        ...(net ? { privateNetwork: net } : {}),
        ...(k.privateRouting ? { privateRouting: true } : {}),
        nodePools: k.nodePools.map((p) => ({
          key: p.name,
          flavor: p.flavor,
          ...(p.zone ? { zone: p.zone } : {}),
          ...(p.size !== undefined ? { size: p.size } : {}),
          ...(p.autoscale ? { autoscale: p.autoscale } : {}),
        })),
      },
      ctx.parent,
    );
    ctx.built.kubernetes = kube;
    ctx.inventory.kubernetes = {
      name: k.resourceName,
      version: k.version,
      region: k.region,
      plan: k.resolvedPlan,
      privateRouting: k.privateRouting,
      url: kube.url,
      nodePools: Object.fromEntries(
        k.nodePools.map((p) => [
          p.name,
          {
            ...(p.autoscale ? { autoscale: p.autoscale } : { size: p.size }),
            ...(p.zone ? { zone: p.zone } : {}),
          },
        ]),
      ),
    };
    ctx.secrets.kubeconfig = kube.kubeconfig;
    ctx.secretIndex.push("kubeconfig");
  },
};
