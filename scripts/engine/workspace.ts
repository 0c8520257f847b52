/**
 * Running the project's Pulumi program through the Automation API on a local file backend: the engine's
 * PATH, the backend, the secrets passphrase and the blueprints root in one place, for the CLI and the tests.
 */
import { LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { DELIVERY_TOKEN_VARIABLE, deliveryToken } from "./reaper";

let engineBin: string | undefined;

/** Builds or finds the engine (scripts/engine/setup.sh) once per process and returns its bin folder. */
export function ensureEngine(): string {
  if (!engineBin) {
    engineBin =
      process.env.MAJORDOME_ENGINE_BIN ||
      execFileSync("bash", [path.join(PROJECT_ROOT, "scripts", "engine", "setup.sh")], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      }).trim();
    process.env.MAJORDOME_ENGINE_BIN = engineBin;
  }
  return engineBin;
}

/** Where a workspace keeps its state and what it runs. */
export interface WorkspaceOptions {
  /** Secrets provider of new stacks (`pulumi stack init --secrets-provider`). @default the passphrase */
  readonly secretsProvider?: string;
  /** Folder of the file backend (state), and of PULUMI_HOME. */
  readonly stateDir: string;
  /** Backend URL. @default file://<stateDir> */
  readonly backendUrl?: string;
  /** Secrets passphrase (none when a KMS secrets provider is used). */
  readonly passphrase?: string;
  /** Blueprints root. @default the project's */
  readonly blueprints?: string;
  /** Extra environment variables for the engine and the program. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Run from a throwaway project folder inside `stateDir` (Pulumi.yaml copied; dist, node_modules and
   * package.json linked), so stack config files never land in the project's own stacks/ folder. Tests use
   * this; deliveries keep their stack config in stacks/. @default false
   */
  readonly isolated?: boolean;
}

/** Makes the throwaway project folder of an isolated workspace and returns it. */
function isolatedProject(stateDir: string): string {
  const dir = path.join(stateDir, "project");
  fs.mkdirSync(path.join(dir, "stacks"), { recursive: true });
  fs.copyFileSync(path.join(PROJECT_ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  for (const link of ["dist", "node_modules", "package.json"]) {
    const target = path.join(dir, link);
    if (!fs.existsSync(target)) fs.symlinkSync(path.join(PROJECT_ROOT, link), target);
  }
  return dir;
}

const passphraseFiles = new Map<string, string>();

/**
 * A file holding `passphrase`, readable by this user only, in a private folder removed when this process
 * exits. The engine reads it through PULUMI_CONFIG_PASSPHRASE_FILE, so the passphrase is not in the
 * environment of every engine, program and provider process (`/proc/<pid>/environ`).
 */
export function passphraseFile(passphrase: string): string {
  const known = passphraseFiles.get(passphrase);
  if (known && fs.existsSync(known)) return known;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-secrets-"));
  const file = path.join(dir, "passphrase");
  fs.writeFileSync(file, passphrase, { mode: 0o600 });
  process.once("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  passphraseFiles.set(passphrase, file);
  return file;
}

/** Environment variables that make the engine local, quiet and self-contained. */
export function engineEnv(options: WorkspaceOptions): Record<string, string> {
  const bin = ensureEngine();
  fs.mkdirSync(options.stateDir, { recursive: true });
  return {
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
    PULUMI_HOME: path.join(options.stateDir, ".pulumi-home"),
    PULUMI_BACKEND_URL: options.backendUrl ?? `file://${options.stateDir}`,
    ...(options.passphrase !== undefined
      ? { PULUMI_CONFIG_PASSPHRASE_FILE: passphraseFile(options.passphrase) }
      : {}),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    ...(options.blueprints ? { MAJORDOME_BLUEPRINTS: options.blueprints } : {}),
    ...(options.env ?? {}),
    // Marks every process the engine starts, so that they all die with this CLI process (reaper.ts).
    [DELIVERY_TOKEN_VARIABLE]: deliveryToken(),
  };
}

/** A workspace over the project program (not yet bound to a stack). */
export async function projectWorkspace(options: WorkspaceOptions): Promise<LocalWorkspace> {
  const envVars = engineEnv(options);
  // The Automation API also spawns `pulumi` from this process's PATH.
  process.env.PATH = envVars.PATH;
  const workDir = options.isolated ? isolatedProject(options.stateDir) : PROJECT_ROOT;
  return LocalWorkspace.create({
    workDir,
    envVars,
    pulumiHome: envVars.PULUMI_HOME,
    // A team's KMS (awskms://, hashivault://, azurekeyvault://, gcpkms://) for stacks created from now on.
    ...(options.secretsProvider ? { secretsProvider: options.secretsProvider } : {}),
  });
}

/** Creates or selects `stackName` of the project program. */
export async function projectStack(stackName: string, options: WorkspaceOptions): Promise<Stack> {
  return Stack.createOrSelect(stackName, await projectWorkspace(options));
}

/** True when the backend already has `stackName`. */
export async function stackExists(ws: LocalWorkspace, stackName: string): Promise<boolean> {
  return (await ws.listStacks()).some((s) => s.name === stackName || s.name.endsWith(`/${stackName}`));
}
