/**
 * OVHcloud components. This layer imports @pulumi/* only: never the blueprint loader, YAML or stack config,
 * so every component is usable from any Pulumi program.
 */
export * from "./common";
export * from "./privateNetwork";
export * from "./serverGroup";
export * from "./kubernetesCluster";
export * from "./managedDatabase";
export * from "./objectStorage";
export * from "./loadBalancer";
export * from "./dnsRecords";
export * from "./userData";
