/** A temporary MAJORDOME_HOME and blueprints root, and the real `majordome` command run in it. */
import execa from "execa";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { FIXTURE_REPO } from "./fixtures";

/** The built command line. */
export const CLI = path.join(PROJECT_ROOT, "bin", "majordome.js");

/** A sandbox for the real `majordome` command. */
export interface Sandbox {
  readonly root: string;
  readonly env: Record<string, string>;
  /** Writes `clients/<client>/<name>.yaml`. */
  write(name: string, body: string, client?: string): void;
  /** Runs the command to its end (never rejects on a non-zero exit). */
  run(...args: string[]): Promise<execa.ExecaReturnValue>;
  /** As {@link Sandbox.run}, with `extraEnv` over the sandbox's environment for this run only. */
  runWith(extraEnv: Record<string, string>, ...args: string[]): Promise<execa.ExecaReturnValue>;
  /**
   * Starts the command in its own process group, as a terminal would start it, so that a test can signal the
   * CLI's process alone (the caller awaits it; it never rejects on a non-zero exit).
   */
  start(...args: string[]): execa.ExecaChildProcess;
  /** The latest report of `client/environment`: its JSON and Markdown, or undefined. */
  report(environment: string, client?: string): { json: unknown; markdown: string } | undefined;
}

/**
 * A sandbox with the fixture blueprints, whose key secret `labKey` is `privateKey` (in a file named by
 * MAJORDOME_HOST_KEY_FILE_LAB_KEY, as a user would give it). `extraEnv` is added to (or replaces) the
 * sandbox's variables: e.g. the S3 backend's, which two sandboxes share as two working copies would.
 */
export function sandbox(privateKey: string, extraEnv: Record<string, string> = {}): Sandbox {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-cli-"));
  fs.cpSync(FIXTURE_REPO, path.join(root, "blueprints"), { recursive: true });
  const keyFile = path.join(root, "host.key");
  fs.writeFileSync(keyFile, privateKey, { mode: 0o600 });
  const env = {
    MAJORDOME_HOME: path.join(root, "home"),
    MAJORDOME_BLUEPRINTS: path.join(root, "blueprints"),
    MAJORDOME_ISOLATED: "1",
    MAJORDOME_HOST_KEY_FILE_LAB_KEY: keyFile,
    PULUMI_CONFIG_PASSPHRASE: "cli-sandbox",
    ...extraEnv,
  };
  const runWith = (more: Record<string, string>, ...args: string[]) =>
    execa("node", [CLI, ...args], { env: { ...env, ...more }, reject: false, cwd: root });
  return {
    root,
    env,
    write: (name, body, client = "acme") => {
      fs.mkdirSync(path.join(root, "blueprints", "clients", client), { recursive: true });
      fs.writeFileSync(path.join(root, "blueprints", "clients", client, `${name}.yaml`), body);
    },
    run: (...args) => runWith({}, ...args),
    runWith,
    start: (...args) => execa("node", [CLI, ...args], { env, reject: false, cwd: root, detached: true }),
    report: (environment, client = "acme") => {
      const base = path.join(root, "home", "reports", client, environment, "latest");
      if (!fs.existsSync(`${base}.json`)) return undefined;
      return {
        json: JSON.parse(fs.readFileSync(`${base}.json`, "utf8")),
        markdown: fs.readFileSync(`${base}.md`, "utf8"),
      };
    },
  };
}
