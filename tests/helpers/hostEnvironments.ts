/** Helpers shared by the integration tests that deliver hosts-only environments to SSH test hosts. */
import * as fs from "fs";

/** Options of {@link hostEnvironment}. */
export interface HostEnvironmentOptions {
  /** More steps, as YAML lines indented under `steps:`. */
  readonly extraSteps?: string;
  readonly tier?: string;
  readonly dependsOn?: readonly string[];
}

/** A hosts-only environment of client acme writing /srv/<name>/app.conf on the host at 127.0.0.1:<port>. */
export function hostEnvironment(name: string, port: number, options: HostEnvironmentOptions = {}): string {
  const meta = [
    ...(options.tier ? [`  tier: ${options.tier}`] : []),
    ...(options.dependsOn?.length ? [`  dependsOn: [${options.dependsOn.join(", ")}]`] : []),
  ];
  return `apiVersion: majordome/v1
kind: Environment
metadata:
  client: acme
  environment: ${name}
${meta.map((l) => `${l}\n`).join("")}hosts:
  - name: origin
    address: 127.0.0.1
    port: ${port}
    keySecret: labKey
    steps:
      - name: config
        file:
          path: /srv/${name}/app.conf
          content: "env=${name}\\n"
${options.extraSteps ?? ""}`;
}

/** A process and all its descendants, from /proc (parents first). */
export function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parentOf) if (ppid === out[i]) out.push(pid);
  return out;
}
