/**
 * Every name that reaches a shell or a file path has a pattern and a length limit in the schema: hostile values
 * (too long, `-`-leading flags, control characters, shell syntax) are refused by `validate`, located; ordinary
 * values pass. A keySecret is refused when `deliver` could not read it from an environment variable.
 */
import * as fs from "fs";
import { formatIssues } from "../../../blueprints/lib/issues";
import { tempRepo } from "../../helpers/fixtures";

const repo = tempRepo();
afterAll(() => fs.rmSync(repo.root, { recursive: true, force: true }));

/** A hosts-only environment with one host and one step of each kind; `over` replaces one line's value. */
function problems(over: Partial<Record<Slot, string>>): string {
  const v = (slot: Slot) => JSON.stringify(over[slot] ?? SANE[slot]);
  const text = [
    "apiVersion: majordome/v1",
    "kind: Environment",
    "metadata:",
    "  client: acme",
    "  environment: limits",
    `  dependsOn: [${v("dependsOn")}]`,
    "hosts:",
    `  - name: ${v("hostName")}`,
    "    address: 127.0.0.1",
    `    keySecret: ${v("keySecret")}`,
    "    steps:",
    `      - name: ${v("stepName")}`,
    `        packages: [${v("package")}]`,
    "      - name: conf",
    `        file: { path: ${v("path")}, content: x, owner: ${v("owner")} }`,
    "      - name: svc",
    `        service: { name: ${v("service")} }`,
    "      - name: script",
    `        run: ${v("run")}`,
    "operations:",
    `  runTeamAccess: { members: [${v("member")}] }`,
  ].join("\n");
  const file = repo.write("clients/acme/limits.yaml", text + "\n");
  return formatIssues(repo.loader().checkFile(file));
}

type Slot =
  | "dependsOn"
  | "hostName"
  | "keySecret"
  | "stepName"
  | "package"
  | "path"
  | "owner"
  | "service"
  | "run"
  | "member";

const SANE: Record<Slot, string> = {
  dependsOn: "acme/staging",
  hostName: "origin",
  keySecret: "labKey",
  stepName: "tools",
  package: "nginx-extras",
  path: "/etc/app/app.conf",
  owner: "www-data",
  service: "nginx.service",
  run: "echo hello",
  member: "alice",
};

const POINTER: Record<Slot, string> = {
  dependsOn: "/metadata/dependsOn/0",
  hostName: "/hosts/0/name",
  keySecret: "/hosts/0/keySecret",
  stepName: "/hosts/0/steps/0/name",
  package: "/hosts/0/steps/0/packages/0",
  path: "/hosts/0/steps/1/file/path",
  owner: "/hosts/0/steps/1/file/owner",
  service: "/hosts/0/steps/2/service/name",
  run: "/hosts/0/steps/3/run",
  member: "/operations/runTeamAccess/members/0",
};

const HOSTILE: readonly [Slot, string][] = [
  ["dependsOn", `acme/${"a".repeat(41)}`],
  ["dependsOn", "acme/-rf"],
  ["hostName", "-oProxyCommand=sh"],
  ["hostName", "h".repeat(41)],
  ["keySecret", "lab.key"],
  ["keySecret", "-key"],
  ["keySecret", "k".repeat(65)],
  ["keySecret", "lab key"],
  ["stepName", "--help"],
  ["stepName", "s".repeat(41)],
  ["package", "-y"],
  ["package", "--allow-unauthenticated"],
  ["package", "p".repeat(129)],
  ["package", "nginx;id"],
  ["path", "relative/app.conf"],
  ["path", "/etc/app\n/etc/passwd"],
  ["path", `/${"d".repeat(4096)}`],
  ["owner", "-R"],
  ["owner", "root:-R"],
  ["owner", "u".repeat(33)],
  ["owner", "root:root:root"],
  ["owner", "$(id)"],
  ["service", "-.mount"],
  ["service", "--now"],
  ["service", ".hidden"],
  ["service", `${"s".repeat(256)}`],
  ["service", "nginx; reboot"],
  ["run", "x".repeat(65537)],
  ["member", "-alice"],
  ["member", "m".repeat(41)],
];

describe("names that reach a shell or a path", () => {
  it("the ordinary blueprint validates", () => {
    expect(problems({})).toBe("");
  });

  it.each(
    HOSTILE.map(
      ([slot, value]) =>
        [slot, value.length > 60 ? `${value.slice(0, 20)}… (${value.length})` : value, value] as const,
    ),
  )("refuses %s %j, located", (slot, _shown, value) => {
    const found = problems({ [slot]: value });
    expect(found).toContain(`${POINTER[slot as Slot]}:`);
  });

  it("accepts the longest allowed values", () => {
    expect(
      problems({
        hostName: `h${"x".repeat(39)}`,
        keySecret: `k${"x".repeat(63)}`,
        package: "p".repeat(128),
        path: `/${"d".repeat(4095)}`,
        owner: `${"u".repeat(32)}:${"g".repeat(32)}`,
        service: "s".repeat(255),
        run: "x".repeat(65536),
      }),
    ).toBe("");
  });
});
