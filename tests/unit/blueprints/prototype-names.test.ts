/**
 * No prototype key is accepted anywhere a user-supplied name is looked up: catalog flavors, images, regions,
 * database engines, versions and plans, Kubernetes flavors, environment references (dependsOn, extends),
 * run-team members, step references, server groups, load-balancer pools, policy names. Each name that an
 * object would answer through its prototype (`constructor`, `toString`…) is refused with a located problem,
 * and loading never crashes. `plan` then has nothing to price at zero.
 */
import fc from "fast-check";
import * as fs from "fs";
import { BlueprintError, formatIssues } from "../../../blueprints/lib/issues";
import { tempRepo } from "../../helpers/fixtures";

/** Names every plain object answers through its prototype chain. */
const PROTOTYPE_NAMES = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "isPrototypeOf",
  "__defineGetter__",
] as const;

const repo = tempRepo();
afterAll(() => fs.rmSync(repo.root, { recursive: true, force: true }));

const HEADER = [
  "apiVersion: majordome/v1",
  "kind: Environment",
  "metadata:",
  "  client: acme",
  "  environment: proto",
];

/**
 * One slot per lookup by a user-supplied name: the blueprint's lines with `NAME` where the name goes, and the
 * pointer of the value a problem must name (at or under it).
 */
const SLOTS: readonly { readonly label: string; readonly lines: string; readonly pointer: string }[] = [
  {
    label: "server flavor",
    lines:
      "target: { provider: ovh, regions: [GRA11] }\nservers:\n  - { name: web, flavor: NAME, image: Debian 12, public: true }",
    pointer: "/servers/0/flavor",
  },
  {
    label: "server image",
    lines:
      "target: { provider: ovh, regions: [GRA11] }\nservers:\n  - { name: web, flavor: b3-8, image: NAME, public: true }",
    pointer: "/servers/0/image",
  },
  {
    label: "region",
    lines:
      "target: { provider: ovh, regions: [NAME] }\nservers:\n  - { name: web, flavor: b3-8, image: Debian 12, public: true }",
    pointer: "/target/regions/0",
  },
  {
    label: "database engine",
    lines:
      'target: { provider: ovh, regions: [GRA11] }\ndatabases:\n  - { name: main, engine: NAME, version: "16" }',
    pointer: "/databases/0/engine",
  },
  {
    label: "database version",
    lines:
      'target: { provider: ovh, regions: [GRA11] }\ndatabases:\n  - { name: main, engine: postgresql, version: "NAME" }',
    pointer: "/databases/0/version",
  },
  {
    label: "database plan",
    lines:
      'target: { provider: ovh, regions: [GRA11] }\ndatabases:\n  - { name: main, engine: postgresql, version: "16", plan: NAME }',
    pointer: "/databases/0/plan",
  },
  {
    label: "database flavor",
    lines:
      'target: { provider: ovh, regions: [GRA11] }\ndatabases:\n  - { name: main, engine: postgresql, version: "16", flavor: NAME }',
    pointer: "/databases/0/flavor",
  },
  {
    label: "database server group",
    lines:
      'target: { provider: ovh, regions: [GRA11] }\nnetwork: { cidr: 10.0.0.0/16 }\nservers:\n  - { name: web, flavor: b3-8, image: Debian 12 }\ndatabases:\n  - { name: main, engine: postgresql, version: "16", plan: business, allowFrom: { serverGroups: [NAME] } }',
    pointer: "/databases/0/allowFrom/serverGroups/0",
  },
  {
    label: "Kubernetes node flavor",
    lines:
      'target: { provider: ovh, regions: [GRA11] }\nnetwork: { cidr: 10.0.0.0/16 }\nkubernetes:\n  name: k\n  version: "1.31"\n  nodePools:\n    - { name: pool, flavor: NAME, size: 2 }',
    pointer: "/kubernetes/nodePools/0/flavor",
  },
  {
    label: "dependsOn",
    lines: "  dependsOn: [acme/NAME]\ntarget: { provider: ovh, regions: [GRA11] }",
    pointer: "/metadata/dependsOn/0",
  },
  {
    label: "extends",
    lines: "extends: [templates/NAME]\ntarget: { provider: ovh, regions: [GRA11] }",
    pointer: "/extends",
  },
  {
    label: "run-team member",
    lines: "target: { provider: ovh, regions: [GRA11] }\noperations:\n  runTeamAccess: { members: [NAME] }",
    pointer: "/operations/runTeamAccess/members/0",
  },
  {
    label: "restartOnChangeOf step",
    lines: [
      "hosts:",
      "  - name: origin",
      "    address: 127.0.0.1",
      "    steps:",
      "      - { name: conf, file: { path: /etc/x.conf, content: x } }",
      "      - { name: svc, service: { name: nginx, restartOnChangeOf: [NAME] } }",
    ].join("\n"),
    pointer: "/hosts/0/steps/1/service/restartOnChangeOf/0",
  },
  {
    label: "load-balancer pool",
    lines: [
      "target: { provider: ovh, regions: [GRA11] }",
      "network: { cidr: 10.0.0.0/16, gateway: { enabled: true, model: s } }",
      "servers:",
      "  - { name: web, flavor: b3-8, image: Debian 12 }",
      "loadBalancers:",
      "  - name: front",
      "    listeners:",
      "      - { name: entry, port: 80, protocol: http, pool: NAME }",
      "    pools:",
      "      - { name: web, port: 8080, serverGroup: web }",
    ].join("\n"),
    pointer: "/loadBalancers/0/listeners/0/pool",
  },
];

/** The problems of the environment with `name` in the slot (an empty string when it loads). */
function problemsWith(slot: (typeof SLOTS)[number], name: string): string {
  // A slot may start with an indented line: it continues `metadata`.
  const body = slot.lines.split("\n");
  const file = repo.write(
    "clients/acme/proto.yaml",
    [...HEADER, ...body.map((l) => l.replace(/NAME/g, JSON.stringify(name).slice(1, -1)))].join("\n") + "\n",
  );
  const loader = repo.loader();
  const issues = loader.checkFile(file);
  if (issues.length) return formatIssues(issues);
  try {
    loader.loadEnvironment("acme", "proto");
    return "";
  } catch (e) {
    if (e instanceof BlueprintError) return formatIssues(e.issues);
    throw e; // a crash: the property fails with its stack
  }
}

describe("prototype names are never found by a lookup", () => {
  it.each(SLOTS.map((s) => [s.label, s] as const))("a sane %s loads", (_label, slot) => {
    const sane: Record<string, string> = {
      "server flavor": "b3-8",
      "server image": "Debian 12",
      region: "GRA11",
      "database engine": "postgresql",
      "database version": "16",
      "database plan": "essential",
      "database flavor": "db1-4",
      "database server group": "web",
      "Kubernetes node flavor": "b3-8",
      dependsOn: "staging",
      extends: "web",
      "run-team member": "alice",
      "restartOnChangeOf step": "conf",
      "load-balancer pool": "web",
    };
    // The slot's control: the same blueprint with an ordinary name loads without any problem.
    expect(problemsWith(slot, sane[slot.label])).toBe("");
  });

  it("refuses every prototype name in every slot, located at the slot, without crashing", () => {
    fc.assert(
      fc.property(fc.constantFrom(...SLOTS), fc.constantFrom(...PROTOTYPE_NAMES), (slot, name) => {
        const found = problemsWith(slot, name);
        expect(found).toMatch(new RegExp(`${slot.pointer.replace(/\//g, "\\/")}(\\/\\S*)?:`));
      }),
      { numRuns: 300 },
    );
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });
});
