/** Host steps that would fight each other on the host are refused by `validate`, located. */
import { BlueprintError } from "../../../blueprints/lib/issues";
import { tempRepo } from "../../helpers/fixtures";

const ENV = (steps: string) => `apiVersion: majordome/v1
kind: Environment
metadata:
  client: acme
  environment: lab
hosts:
  - name: web
    address: 10.0.0.5
    keySecret: k
    steps:
${steps}`;

function problems(steps: string): string[] {
  const repo = tempRepo();
  const file = repo.write("clients/acme/lab.yaml", ENV(steps));
  try {
    repo.loader().loadEnvironmentFile(file);
    return [];
  } catch (e) {
    if (!(e instanceof BlueprintError)) throw e;
    return e.issues.map(
      (i) => `${i.line}:${i.col} ${i.pointer} ${i.code}: ${i.message}${i.hint ? ` | ${i.hint}` : ""}`,
    );
  }
}

const file = (name: string, at: string) =>
  `      - name: ${name}\n        file:\n          path: ${at}\n          content: "x"\n`;

describe("host file steps", () => {
  it("accept a plain absolute path", () => {
    expect(problems(file("conf", "/etc/app/app.conf"))).toEqual([]);
  });

  it.each([
    ["/etc/../etc/app.conf", "/etc/app.conf"],
    ["/etc//app.conf", "/etc/app.conf"],
    ["/etc/./app.conf", "/etc/app.conf"],
    ["/etc/app/", "/etc/app"],
  ])("refuse %s, and say how to write it (%s)", (written, plain) => {
    expect(problems(file("conf", written))).toEqual([
      expect.stringMatching(
        new RegExp(`^13:17 /hosts/0/steps/0/file/path step.file-path: .* \\| write it as "${plain}"$`),
      ),
    ]);
  });

  it("refuse two steps writing one file", () => {
    const found = problems(`${file("one", "/etc/app.conf")}${file("two", "/etc/app.conf")}`);
    expect(found).toEqual([
      '17:17 /hosts/0/steps/1/file/path step.file-path: steps "one" and "two" both write /etc/app.conf on host "web" (from its roles and steps) | keep one step per file',
    ]);
  });

  it("refuse a package listed twice in one step", () => {
    expect(problems(`      - name: pkgs\n        packages: [nginx, nginx]\n`)).toEqual([
      '12:27 /hosts/0/steps/0/packages/1 schema.uniqueItems: "nginx" is listed twice (items 0 and 1) | list each value once',
    ]);
  });
});
