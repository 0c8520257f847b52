/** DnsRecords: records in an OVH-managed zone, with literal targets or addresses of other resources. */
import * as ovh from "@ovhcloud/pulumi-ovh";
import * as pulumi from "@pulumi/pulumi";
import { invalid, TOKEN_PREFIX } from "./common";

/** One record. */
export interface DnsRecordArgs {
  /** Subdomain, or "@" for the apex. */
  readonly name: string;
  readonly type: "A" | "AAAA" | "CNAME" | "TXT" | "MX";
  readonly ttl: number;
  /** The target: a literal, or an address output of another component. */
  readonly target: pulumi.Input<string>;
}

/** Arguments of {@link DnsRecords}. */
export interface DnsRecordsArgs {
  readonly zone: string;
  readonly records: readonly DnsRecordArgs[];
}

/** The stable key of a record: its name and type (and value for TXT/MX, which may repeat). */
export function recordKey(r: { name: string; type: string }, index?: number): string {
  const sub = r.name === "@" ? "apex" : r.name.replace(/[^a-z0-9-]/g, "-");
  return `${sub}-${r.type.toLowerCase()}${index ? `-${index}` : ""}`;
}

/** Creates DNS records in a zone. */
export class DnsRecords extends pulumi.ComponentResource {
  readonly records: Readonly<Record<string, ovh.domain.ZoneRecord>>;

  constructor(name: string, args: DnsRecordsArgs, opts?: pulumi.ComponentResourceOptions) {
    super(`${TOKEN_PREFIX}:DnsRecords`, name, {}, opts);
    const records: Record<string, ovh.domain.ZoneRecord> = {};
    for (const r of args.records) {
      if (r.ttl !== 0 && r.ttl < 60)
        invalid("DnsRecords", name, `record "${r.name}": [ttl] must be 0 or ≥ 60`);
      let key = recordKey(r);
      for (let i = 2; records[key]; i++) key = recordKey(r, i);
      records[key] = new ovh.domain.ZoneRecord(
        `${name}-${key}`,
        {
          zone: args.zone,
          subdomain: r.name === "@" ? "" : r.name,
          fieldtype: r.type,
          ttl: r.ttl,
          target: r.target,
        },
        { parent: this },
      );
    }
    this.records = records;
    this.registerOutputs({ records });
  }
}
