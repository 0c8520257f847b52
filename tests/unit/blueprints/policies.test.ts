/**
 * Client policies, first stage: each rule refuses its violation at the offending field with a message naming the
 * rule; a live exception lets it pass, an expired one fails like the rule (judged by a fixed clock).
 */
import { BlueprintError } from "../../../blueprints/lib/issues";
import { exceptionHolds } from "../../../blueprints/lib/policies";
import { BlueprintLoader } from "../../../blueprints/lib/loader";
import { BlueprintRepository } from "../../../blueprints/lib/repository";
import { tempRepo } from "../../helpers/fixtures";

const CLIENT = (policies: string, exceptions = "") => `apiVersion: majordome/v1
kind: Client
metadata:
  id: bank
  displayName: Bank
policies:
${policies}
${exceptions ? `policyExceptions:\n${exceptions}` : ""}
`;

const ENV = (body: string, environment = "production") => `apiVersion: majordome/v1
kind: Environment
metadata:
  client: bank
  environment: ${environment}
target:
  provider: ovh
  regions: [GRA11]
${body}`;

const PUBLIC_SERVER = `servers:
  - name: bastion
    flavor: b3-8
    image: Debian 12
    public: true
`;

/** Problems of bank/<environment> under the given client profile, judged at `now`. */
function problems(
  client: string,
  env: string,
  now = new Date("2026-01-15T12:00:00Z"),
  environment = "production",
) {
  const repo = tempRepo();
  repo.write("clients/bank/client.yaml", client);
  const file = repo.write(`clients/bank/${environment}.yaml`, env);
  const loader = new BlueprintLoader({ repository: new BlueprintRepository(repo.root), now: () => now });
  try {
    loader.loadEnvironmentFile(file);
    return [];
  } catch (e) {
    if (!(e instanceof BlueprintError)) throw e;
    return e.issues.map((i) => ({ pointer: i.pointer, code: i.code, message: i.message, line: i.line }));
  }
}

describe("client policies on the blueprint", () => {
  it("noPublicServers refuses a public server group at its `public` field", () => {
    expect(problems(CLIENT("  - rule: noPublicServers"), ENV(PUBLIC_SERVER))).toEqual([
      {
        pointer: "/servers/0/public",
        code: "policy.noPublicServers",
        message: 'client policy noPublicServers: server group "bastion" is public',
        line: 13,
      },
    ]);
  });

  it("a policy-free client accepts the same environment", () => {
    expect(problems(CLIENT("  - rule: privateDatabases"), ENV(PUBLIC_SERVER))).toEqual([]);
  });

  const EXCEPTION = `  - rule: noPublicServers
    environment: production
    resource: servers/bastion
    reason: vendor access
    expires: "2026-03-31"`;

  it("a live exception lets the named resource pass, through its whole expiry day", () => {
    const client = CLIENT("  - rule: noPublicServers", EXCEPTION);
    expect(problems(client, ENV(PUBLIC_SERVER))).toEqual([]);
    expect(problems(client, ENV(PUBLIC_SERVER), new Date("2026-03-31T23:59:00Z"))).toEqual([]);
  });

  it("an expired exception fails like the rule, and says it expired", () => {
    const client = CLIENT("  - rule: noPublicServers", EXCEPTION);
    expect(problems(client, ENV(PUBLIC_SERVER), new Date("2026-04-01T00:00:01Z"))).toEqual([
      expect.objectContaining({
        code: "policy.noPublicServers",
        message: expect.stringContaining("its exception expired on 2026-03-31"),
      }),
    ]);
  });

  it("an exception covers only its environment and resource", () => {
    const client = CLIENT("  - rule: noPublicServers", EXCEPTION.replace("production", "staging"));
    expect(problems(client, ENV(PUBLIC_SERVER)).map((p) => p.code)).toEqual(["policy.noPublicServers"]);
  });

  it("allowedRegions refuses a target region outside its list", () => {
    const client = CLIENT("  - rule: allowedRegions\n    regions: [SBG5]");
    expect(problems(client, ENV(""))).toEqual([
      expect.objectContaining({
        pointer: "/target/regions/0",
        code: "policy.allowedRegions",
        message: 'client policy allowedRegions: region "GRA11" is not allowed (allowed: SBG5)',
      }),
    ]);
  });

  it("privateDatabases refuses a database off the private network", () => {
    const db = `databases:
  - name: ledger
    engine: postgresql
    version: "16"
    plan: essential
    flavor: db1-4
    diskGb: 80
`;
    expect(problems(CLIENT("  - rule: privateDatabases"), ENV(db))).toEqual([
      expect.objectContaining({
        pointer: "/databases/0",
        code: "policy.privateDatabases",
        message: 'client policy privateDatabases: database "ledger" is not attached to the private network',
      }),
    ]);
  });

  it("productionBackups refuses production without backups, and ignores staging", () => {
    const noBackups = "operations:\n  backups:\n    enabled: false\n";
    expect(problems(CLIENT("  - rule: productionBackups"), ENV(noBackups))).toEqual([
      expect.objectContaining({ pointer: "/operations/backups", code: "policy.productionBackups" }),
    ]);
    expect(
      problems(CLIENT("  - rule: productionBackups"), ENV(noBackups, "staging"), undefined, "staging"),
    ).toEqual([]);
  });

  it("maxFlavor refuses a flavor above the catalog size limits", () => {
    const big = PUBLIC_SERVER.replace("b3-8", "b3-64").replace("public: true", "public: false");
    const network = "network:\n  vlanId: 10\n  cidr: 10.0.0.0/16\n";
    expect(problems(CLIENT("  - rule: maxFlavor\n    maxVcpus: 8"), ENV(network + big))).toEqual([
      expect.objectContaining({
        pointer: "/servers/0/flavor",
        code: "policy.maxFlavor",
        message: 'client policy maxFlavor: server group "bastion" uses flavor "b3-64" (16 vCPUs > 8)',
      }),
    ]);
  });

  it("refuses a maxFlavor policy without limits and an allowedRegions policy without regions", () => {
    const repo = tempRepo();
    repo.write("clients/bank/client.yaml", CLIENT("  - rule: maxFlavor\n  - rule: allowedRegions"));
    const loader = new BlueprintLoader({ repository: new BlueprintRepository(repo.root) });
    const issues = loader.checkFile(`${repo.root}/clients/bank/client.yaml`);
    expect(issues.map((i) => i.pointer)).toEqual(expect.arrayContaining(["/policies/0", "/policies/1"]));
  });

  it("exceptionHolds compares against the end of the expiry day, UTC", () => {
    const x = {
      rule: "noPublicServers",
      environment: "p",
      resource: "r",
      reason: "r",
      expires: "2026-01-01",
    } as const;
    expect(exceptionHolds(x, new Date("2026-01-01T23:59:59Z"))).toBe(true);
    expect(exceptionHolds(x, new Date("2026-01-02T00:00:00Z"))).toBe(false);
    expect(exceptionHolds({ ...x, expires: "2026-13-45" }, new Date("2020-01-01"))).toBe(false);
  });
});
