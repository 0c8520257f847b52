/**
 * TypeScript types of blueprint language v1, as they are after schema validation (schema defaults applied) and
 * after normalisation (derived names and cross-field defaults). The JSON Schema is the source of truth;
 * `tests/unit/blueprints/model.test.ts` keeps these in step with it.
 */

/** String-to-string labels. */
export type Labels = Readonly<Record<string, string>>;

/** A run-team member and their SSH key. */
export interface RunTeamMember {
  readonly name: string;
  readonly sshPublicKey: string;
}

/** A client profile (kind: Client). */
export interface ClientProfile {
  readonly apiVersion: "majordome/v1";
  readonly kind: "Client";
  readonly metadata: { readonly id: string; readonly displayName: string };
  readonly contacts?: readonly {
    readonly name: string;
    readonly email: string;
    readonly phone?: string;
    readonly role: "technical" | "billing" | "security" | "escalation" | "management";
  }[];
  readonly serviceLevel?: {
    readonly supportHours: "24x7" | "12x5" | "8x5";
    readonly responseTimeMinutes: number;
  };
  readonly allowedRegions?: readonly string[];
  readonly monthlyBudgetEur?: number;
  readonly labels?: Labels;
  readonly runTeam?: { readonly members?: readonly RunTeamMember[] };
  readonly policies?: readonly ClientPolicy[];
  readonly policyExceptions?: readonly PolicyException[];
}

/** The names of the client policy rules. */
export type PolicyRuleName =
  "noPublicServers" | "allowedRegions" | "privateDatabases" | "productionBackups" | "maxFlavor";

/** A client policy: one rule and its parameters (which ones depends on the rule). */
export interface ClientPolicy {
  readonly rule: PolicyRuleName;
  /** allowedRegions: the regions allowed. */
  readonly regions?: readonly string[];
  /** maxFlavor: the most vCPUs a flavor may have. */
  readonly maxVcpus?: number;
  /** maxFlavor: the most RAM (GB) a flavor may have. */
  readonly maxRamGb?: number;
}

/** A dated exception to a client policy for one resource of one environment. */
export interface PolicyException {
  readonly rule: PolicyRuleName;
  readonly environment: string;
  /** `<section>/<name>`, as policy messages name the resource. */
  readonly resource: string;
  readonly reason: string;
  /** Last day (UTC, YYYY-MM-DD) the exception holds. */
  readonly expires: string;
}

/** Deployment tier; production protects stateful resources. */
export type Tier = "production" | "staging" | "development";

/** Where OVHcloud resources go. */
export interface Target {
  readonly provider: "ovh";
  readonly endpoint: "ovh-eu" | "ovh-ca" | "ovh-us";
  /** Refused by `validate`: the project id is read from stack config `majordome:ovhProjectId`. */
  readonly projectConfigKey?: string;
  readonly regions: readonly string[];
}

/** A subnet of the private network. */
export interface Subnet {
  readonly name: string;
  readonly region: string;
  readonly cidr: string;
  /** The DHCP pool; unset: .2 to the last address before broadcast. */
  readonly dhcp?: { readonly start: string; readonly end: string };
  /** DNS servers DHCP hands out (at most 5); unset: OVH's resolvers. Makes the subnet a region-API (v2) one. */
  readonly dnsServers?: readonly string[];
  /** The subnet's gateway address; unset: .1. Makes the subnet a region-API (v2) one. */
  readonly gatewayAddress?: string;
}

/** The private network's gateway. */
export interface NetworkGateway {
  readonly enabled: boolean;
  readonly model: "s" | "m" | "l";
  /** Its region; unset: the first target region (see `gatewayRegionOf`). */
  readonly region?: string;
}

/** The vRack private network. */
export interface Network {
  readonly vlanId: number;
  readonly cidr: string;
  readonly subnets?: readonly Subnet[];
  readonly gateway?: NetworkGateway;
}

/**
 * The network of another environment of the same client, used by reference: this environment builds no network
 * and places its private resources on that one's subnets (read from its delivered outputs).
 */
export interface NetworkReference {
  /** `<client>/<environment>`. */
  readonly from: string;
}

/** A value another environment exports, read from its delivered inventory. */
export interface Import {
  /** `<client>/<environment>` (same client). */
  readonly from: string;
  /** Dot-separated path in that environment's inventory, e.g. `hosts.db.address`. */
  readonly output: string;
}

/** A block volume attached to each instance of a server group. */
export interface Volume {
  readonly name: string;
  readonly sizeGb: number;
  readonly type: "classic" | "high-speed" | "high-speed-gen2";
}

/** A named group of identical instances. */
export interface ServerGroup {
  readonly name: string;
  readonly flavor: string;
  readonly image: string;
  readonly count: number;
  readonly role?: string;
  readonly region?: string;
  /** The private network it sits on (a name of `networks`); unset: the primary `network`. */
  readonly network?: string;
  readonly public: boolean;
  readonly volumes?: readonly Volume[];
  readonly userData?: string;
}

/** A Kubernetes node pool. */
export interface NodePool {
  readonly name: string;
  readonly flavor: string;
  /** Availability zone of the pool's nodes (multi-zone regions only). */
  readonly zone?: string;
  readonly size?: number;
  /** Autoscaling bounds: the only way a pool autoscales. */
  readonly autoscale?: { readonly min: number; readonly max: number };
}

/** An OVH Kubernetes cluster plan. */
export type KubernetesPlan = "free" | "standard";

/** A managed Kubernetes cluster. */
export interface Kubernetes {
  readonly name: string;
  readonly version: string;
  readonly region?: string;
  /** The private network it sits on (a name of `networks`); unset: the primary `network`. */
  readonly network?: string;
  /** Unset: the plan OVH applies by default (catalog `kubernetes.defaultPlan`). */
  readonly plan?: KubernetesPlan;
  /** Nodes route by default through the private network and its gateway. */
  readonly privateRouting: boolean;
  readonly nodePools: readonly NodePool[];
}

/** OVH's automatic daily backups of a database cluster. */
export interface DatabaseBackups {
  /** Daily start time, UTC (HH:MM or HH:MM:SS). */
  readonly time?: string;
  /** Compute regions the backups are stored in: the database's own, and at most one other. */
  readonly regions?: readonly string[];
  /** Refused by `validate`: OVH sets retention by plan. */
  readonly retentionDays?: number;
}

/** A managed database cluster. */
export interface Database {
  readonly name: string;
  readonly engine: "postgresql" | "mysql";
  readonly version: string;
  readonly plan: "essential" | "business" | "enterprise";
  readonly flavor: string;
  readonly diskGb: number;
  /** Node count, checked against the plan's (catalog). */
  readonly nodes?: number;
  readonly region?: string;
  /** The private network it sits on (a name of `networks`); unset: the primary `network`. */
  readonly network?: string;
  readonly backups?: DatabaseBackups;
  readonly users?: readonly { readonly name: string; readonly readOnly: boolean }[];
  readonly databases?: readonly string[];
  readonly allowFrom?: {
    readonly serverGroups?: readonly string[];
    readonly kubernetes: boolean;
    readonly cidrs?: readonly string[];
  };
}

/** An object storage bucket. */
export interface Bucket {
  readonly name: string;
  /** The exact S3 name, unprefixed; by default the bucket is named `<client>-<environment>-<name>`. */
  readonly bucketName?: string;
  readonly region?: string;
  readonly versioning: boolean;
  /** Expected data stored, in GB (prices the bucket in `plan`). */
  readonly expectedSizeGb?: number;
  readonly lifecycle?: { readonly expireAfterDays?: number; readonly noncurrentExpireAfterDays?: number };
  readonly access?: readonly { readonly name: string; readonly level: "read" | "read-write" }[];
}

/** A DNS record. */
export interface DnsRecord {
  readonly name: string;
  readonly type: "A" | "AAAA" | "CNAME" | "TXT" | "MX";
  readonly ttl: number;
  readonly value?: string;
  readonly loadBalancer?: string;
  readonly server?: string;
}

/** A DNS zone and its records. */
export interface Dns {
  readonly zone: string;
  readonly records?: readonly DnsRecord[];
}

/** A load balancer listener. */
export interface Listener {
  readonly name: string;
  readonly protocol: "http" | "https" | "tcp" | "udp";
  readonly port: number;
  readonly pool: string;
}

/** A load balancer pool of one server group. */
export interface Pool {
  readonly name: string;
  readonly serverGroup: string;
  readonly port: number;
  readonly protocol: "http" | "tcp" | "proxy";
  readonly algorithm: "roundRobin" | "leastConnections" | "sourceIP";
  readonly healthCheckPath?: string;
}

/** A load balancer. */
export interface LoadBalancer {
  readonly name: string;
  readonly region?: string;
  /** The private network it sits on (a name of `networks`); unset: the primary `network`. */
  readonly network?: string;
  readonly size: "small" | "medium" | "large";
  readonly listeners: readonly Listener[];
  readonly pools: readonly Pool[];
}

/** One build step on an SSH-reached host; exactly one action is set. */
export interface HostStep {
  readonly name: string;
  readonly packages?: readonly string[];
  readonly file?: {
    readonly path: string;
    readonly content: string;
    readonly mode: string;
    readonly owner: string;
  };
  readonly service?: {
    readonly name: string;
    readonly enabled: boolean;
    readonly restartOnChangeOf?: readonly string[];
  };
  readonly run?: string;
  readonly undo?: string;
}

/** A reusable set of host steps. */
export interface HostRole {
  readonly name: string;
  readonly steps: readonly HostStep[];
}

/** An existing server reached over SSH. */
export interface Host {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly keySecret: string;
  /** The host key its SSH server must show: an OpenSSH public key line or a `SHA256:` fingerprint. */
  readonly hostKey?: string;
  readonly roles?: readonly string[];
  readonly steps?: readonly HostStep[];
}

/** The managed-services contract as code. */
export interface Operations {
  /** OVH instance backups; `enabled` unset means yes for server groups (never for SSH-reached hosts). */
  readonly backups?: {
    readonly enabled?: boolean;
    readonly schedule: string;
    readonly retentionDays: number;
  };
  readonly monitoring?: {
    readonly enabled: boolean;
    readonly endpoint?: string;
    readonly alertContacts?: readonly string[];
  };
  readonly securityUpdates?: { readonly policy: "automatic" | "notify" | "manual"; readonly window: string };
  readonly logForwarding?: {
    readonly enabled: boolean;
    readonly destination?: string;
    /** PEM of the CA that signs a `tls://` destination's certificate. */
    readonly caCertificate?: string;
  };
  readonly runTeamAccess?: {
    readonly members?: readonly string[];
    readonly sudo: boolean;
    /** Addresses the run team may connect from (authorized_keys `from=`). */
    readonly sourceCidrs?: readonly string[];
  };
}

/** An environment document after `extends` and schema defaults. */
export interface EnvironmentBlueprint {
  readonly apiVersion: "majordome/v1";
  readonly kind: "Environment";
  readonly description?: string;
  readonly metadata: {
    readonly client: string;
    readonly environment: string;
    readonly tier?: Tier;
    readonly owner?: string;
    readonly labels?: Labels;
    readonly dependsOn?: readonly string[];
  };
  readonly target?: Target;
  readonly network?: Network | NetworkReference;
  /** More private networks by name, beside the primary `network`; the `from` form is refused by `validate`. */
  readonly networks?: Readonly<Record<string, Network | NetworkReference>>;
  readonly imports?: Readonly<Record<string, Import>>;
  readonly servers?: readonly ServerGroup[];
  readonly kubernetes?: Kubernetes;
  readonly databases?: readonly Database[];
  readonly buckets?: readonly Bucket[];
  readonly dns?: Dns;
  readonly loadBalancers?: readonly LoadBalancer[];
  readonly hostRoles?: readonly HostRole[];
  readonly hosts?: readonly Host[];
  readonly operations?: Operations;
}

/** A host with its roles expanded into steps (role steps first, in role order, then the host's own). */
export interface ResolvedHost extends Host {
  readonly resourceName: string;
  readonly allSteps: readonly HostStep[];
}

/** Another environment's network, as this one uses it. */
export interface SharedNetwork {
  /** `<client>/<environment>` that builds it. */
  readonly from: string;
  readonly cidr: string;
  readonly vlanId: number;
  /** Its subnets (declared or carved), from its blueprint. */
  readonly subnets: readonly Subnet[];
  readonly gateway?: NetworkGateway;
}

/** One of the more networks of an environment (`networks.<name>`), normalised. */
export interface ResolvedNetwork extends Network {
  /** Its key in `networks`: what resources name in their `network`. */
  readonly name: string;
  readonly resourceName: string;
  readonly subnets: readonly Subnet[];
  /** The gateway, with the region it sits in resolved (pinned, or the first target region with a subnet). */
  readonly gateway?: NetworkGateway & { readonly region: string };
}

/** The normalised environment the components are built from: every default applied, every name derived. */
export interface ResolvedEnvironment {
  readonly client: string;
  readonly environment: string;
  /** `<client>-<environment>`: the stack name and the prefix of every resource name. */
  readonly stackName: string;
  readonly tier: Tier;
  /** True for production: databases, buckets and volumes are protected. */
  readonly protectStateful: boolean;
  /** Labels for every resource: client defaults, then environment labels, then majordome's own. */
  readonly labels: Labels;
  readonly owner?: string;
  /** `metadata.dependsOn` and every environment a reference names (`network.from`, `imports.*.from`). */
  readonly dependsOn: readonly string[];
  readonly target?: Target;
  /** The first target region, default of every regional resource. */
  readonly defaultRegion?: string;
  /** The network this environment builds (absent when it uses another's: {@link sharedNetwork}). */
  readonly network?: Network & {
    readonly resourceName: string;
    readonly subnets: readonly Subnet[];
    /** The gateway with its region resolved ({@link NetworkGateway.region}). */
    readonly gateway?: NetworkGateway & { readonly region: string };
  };
  /** The network of another environment, used by reference (`network.from`), as its blueprint describes it. */
  readonly sharedNetwork?: SharedNetwork;
  /** The more networks this environment builds (`networks`), in blueprint order, each named `<client>-<env>-<name>`. */
  readonly networks: readonly ResolvedNetwork[];
  /** Values read from other environments' delivered inventories, by import name. */
  readonly imports: Readonly<Record<string, Import>>;
  readonly servers: readonly (ServerGroup & { readonly region: string; readonly resourceName: string })[];
  readonly kubernetes?: Kubernetes & {
    readonly region: string;
    readonly resourceName: string;
    /** The plan the cluster gets: the blueprint's, or OVH's default (catalog). */
    readonly resolvedPlan: KubernetesPlan;
  };
  readonly databases: readonly (Database & {
    readonly region: string;
    readonly resourceName: string;
    /** Nodes the cluster runs: the blueprint's `nodes`, or the plan's (catalog). */
    readonly nodeCount: number;
    /** Backup schedule and regions, normalised (time as HH:MM:SS); absent fields are OVH's defaults. */
    readonly backupSchedule: { readonly time?: string; readonly regions?: readonly string[] };
    readonly users: readonly { readonly name: string; readonly readOnly: boolean }[];
    readonly databases: readonly string[];
    readonly allowFrom: {
      readonly serverGroups: readonly string[];
      readonly kubernetes: boolean;
      readonly cidrs: readonly string[];
    };
  })[];
  readonly buckets: readonly (Bucket & { readonly region: string; readonly resourceName: string })[];
  readonly dns?: Dns & { readonly records: readonly DnsRecord[] };
  readonly loadBalancers: readonly (LoadBalancer & {
    readonly region: string;
    readonly resourceName: string;
  })[];
  readonly hosts: readonly ResolvedHost[];
  readonly operations: Required<Omit<Operations, "runTeamAccess" | "backups">> & {
    readonly backups: {
      readonly enabled: boolean;
      readonly schedule: string;
      readonly retentionDays: number;
    };
    readonly runTeamAccess: {
      readonly members: readonly RunTeamMember[];
      readonly sudo: boolean;
      /** Empty: any address. */
      readonly sourceCidrs: readonly string[];
    };
  };
  /** The client profile, for reports. */
  readonly clientProfile: ClientProfile;
}
