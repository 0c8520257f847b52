/** Helpers shared by the integration tests that deliver hosts-only environments to SSH test hosts. */
import { startTestHost, type TestHost, type TestHostOptions } from "../../tools/testhost/testHost";

/**
 * A test host for the enclosing `describe`: started before its tests, stopped after them. Call it in the
 * `describe` body; the returned host answers from the started one (using it outside a test throws).
 */
export function suiteTestHost(name: string, options?: TestHostOptions): TestHost {
  let started: TestHost | undefined;
  beforeAll(async () => {
    started = await startTestHost(name, options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  const current = (): TestHost => {
    if (!started) throw new Error(`test host ${name} is used before the suite has started it`);
    return started;
  };
  return {
    name,
    get port() {
      return current().port;
    },
    get dir() {
      return current().dir;
    },
    get privateKey() {
      return current().privateKey;
    },
    get agentPort() {
      return current().agentPort;
    },
    exec: (command) => current().exec(command),
    readFile: (file) => current().readFile(file),
    stop: () => current().stop(),
  };
}

/** Options of {@link hostEnvironment}. */
export interface HostEnvironmentOptions {
  /** More steps, as YAML lines indented under `steps:`. */
  readonly extraSteps?: string;
  readonly tier?: string;
  readonly dependsOn?: readonly string[];
  /**
   * The environment shares its test host with others delivered at the same time: each one's operations step
   * would restart the host's monitoring agent while another checks that it runs. Such an environment leaves
   * monitoring off; what its test is about is the fleet, not the agent (hosts.test.ts proves the agent).
   */
  readonly sharesHost?: boolean;
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
${options.extraSteps ?? ""}${options.sharesHost ? "operations:\n  monitoring:\n    enabled: false\n" : ""}`;
}
