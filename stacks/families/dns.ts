/** Family: DNS records in a zone the account owns, pointing at values, load balancers or servers. */
import { DnsRecords, type DnsRecordArgs } from "../../components/ovh";
import type { Family, OvhFamilyContext } from "./context";

/** Builds the records; a record's target is resolved from what the other families built. */
export const dns: Family<OvhFamilyContext> = {
  name: "dns",
  build(ctx) {
    const { env, built } = ctx;
    if (!env.dns) return;
    const zone = env.dns.zone;
    const records: DnsRecordArgs[] = env.dns.records.map((r) => ({
      name: r.name,
      type: r.type,
      ttl: r.ttl,
      target: r.loadBalancer
        ? built.loadBalancers[r.loadBalancer].publicAddress
        : r.server
          ? built.serverGroups[r.server].publicAddresses.apply((a) => a[0] ?? "")
          : (r.value as string),
    }));
    new DnsRecords(`${env.stackName}-dns`, { zone, records }, ctx.parent);
    ctx.inventory.dns = {
      zone,
      records: env.dns.records.map((r) => ({
        fqdn: r.name === "@" ? zone : `${r.name}.${zone}`,
        type: r.type,
        target: r.loadBalancer ? `loadBalancer:${r.loadBalancer}` : r.server ? `server:${r.server}` : r.value,
      })),
    };
  },
};
