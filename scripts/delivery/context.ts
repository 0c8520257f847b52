/**
 * Where deliveries keep their things, and the engine settings they run with. Local by default: state on a
 * file backend and reports inside the project (`.majordome/`, git-ignored), secrets encrypted with a
 * passphrase. Teams override the backend with PULUMI_BACKEND_URL (e.g. an S3-compatible bucket) and the
 * passphrase with PULUMI_CONFIG_PASSPHRASE(_FILE).
 */
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BlueprintLoader } from "../../blueprints/lib/loader";
import { PROJECT_ROOT } from "../../base/paths";
import { BlueprintRepository } from "../../blueprints/lib/repository";
import type { Io } from "../../base/io";
import type { WorkspaceOptions } from "../engine/workspace";
import { takeCredentials } from "./stackConfig";

/** Everything a delivery command needs to find. */
export interface DeliveryContext {
  readonly loader: BlueprintLoader;
  /** `.majordome/` (or MAJORDOME_HOME). */
  readonly home: string;
  /** Folder of the local file backend, when the backend is local. */
  readonly stateDir: string;
  /** Backend URL (file:// by default). */
  readonly backendUrl: string;
  /** Reports: `<home>/reports/<client>/<env>/`. */
  readonly reportsDir: string;
  /** Majordome's own delivery locks. */
  readonly locksDir: string;
  /** Secrets passphrase (none when a KMS secrets provider is set). */
  readonly passphrase?: string;
  /** Secrets provider of new stacks, from MAJORDOME_SECRETS_PROVIDER (a team's KMS). */
  readonly secretsProvider?: string;
  /** Run the program from a throwaway project folder (tests). */
  readonly isolated: boolean;
  /** Blueprints root, when not the project's. */
  readonly blueprintsRoot?: string;
  /**
   * Credentials taken from the environment when the context was made (and removed from it, so that no child
   * process inherits them): OVH keys and `MAJORDOME_HOST_KEY_*`.
   */
  readonly credentials: Readonly<Record<string, string>>;
  /** Asks a person for a missing credential; absent when nobody can be asked (CI, fleets). */
  readonly prompt?: (question: string, hidden: boolean) => Promise<string>;
}

/** Options that shape a context. */
export interface ContextOptions {
  readonly blueprints?: string;
  readonly home?: string;
  readonly isolated?: boolean;
  readonly prompt?: (question: string, hidden: boolean) => Promise<string>;
}

/** The passphrase taken out of the environment by an earlier context of this process. */
let takenPassphrase: string | undefined;

/** Builds the context from options and the environment; creates `.majordome/` on first use. */
export function deliveryContext(options: ContextOptions, io: Io): DeliveryContext {
  const home = path.resolve(
    options.home ?? process.env.MAJORDOME_HOME ?? path.join(PROJECT_ROOT, ".majordome"),
  );
  const stateDir = path.join(home, "state");
  for (const dir of [home, stateDir, path.join(home, "reports"), path.join(home, "locks")])
    fs.mkdirSync(dir, { recursive: true });
  const backendUrl = process.env.PULUMI_BACKEND_URL ?? `file://${stateDir}`;
  let passphrase = process.env.PULUMI_CONFIG_PASSPHRASE ?? takenPassphrase;
  takenPassphrase = passphrase;
  if (passphrase === undefined && process.env.PULUMI_CONFIG_PASSPHRASE_FILE)
    passphrase = fs.readFileSync(process.env.PULUMI_CONFIG_PASSPHRASE_FILE, "utf8").trim();
  const secretsProvider = process.env.MAJORDOME_SECRETS_PROVIDER;
  // Read once and kept in memory: the engine gets it through a private file (scripts/engine/workspace.ts).
  delete process.env.PULUMI_CONFIG_PASSPHRASE;
  // Local default: a random passphrase kept beside the local state, readable by this user only. Teams set
  // PULUMI_CONFIG_PASSPHRASE (or a KMS secrets provider) instead. Made when first needed, so that a command
  // refused for a wrong selector or flag leaves nothing behind.
  const localPassphrase = (): string => {
    const file = path.join(home, "passphrase");
    if (!fs.existsSync(file)) {
      fs.writeFileSync(file, randomBytes(24).toString("base64url") + "\n", { mode: 0o600 });
      io.err(
        `created a local secrets passphrase in ${path.relative(process.cwd(), file) || file} (set PULUMI_CONFIG_PASSPHRASE to use your own)`,
      );
    }
    passphrase = fs.readFileSync(file, "utf8").trim();
    return passphrase;
  };
  const blueprintsRoot = options.blueprints
    ? path.resolve(options.blueprints)
    : process.env.MAJORDOME_BLUEPRINTS;
  return {
    loader: new BlueprintLoader(
      blueprintsRoot ? { repository: new BlueprintRepository(blueprintsRoot) } : {},
    ),
    home,
    stateDir,
    backendUrl,
    reportsDir: path.join(home, "reports"),
    locksDir: path.join(home, "locks"),
    get passphrase() {
      return passphrase ?? (secretsProvider ? undefined : localPassphrase());
    },
    ...(secretsProvider ? { secretsProvider } : {}),
    credentials: takeCredentials(process.env),
    isolated: options.isolated ?? false,
    ...(options.prompt ? { prompt: options.prompt } : {}),
    ...(blueprintsRoot ? { blueprintsRoot } : {}),
  };
}

/** The current user and host, as lock holders are named. */
export function whoAmI(): { user: string; host: string; pid: number } {
  return { user: os.userInfo().username, host: os.hostname(), pid: process.pid };
}

/** The engine workspace options of this context (state, backend, secrets, blueprints), plus `env`. */
export function workspaceOptions(
  ctx: DeliveryContext,
  env?: Readonly<Record<string, string>>,
): WorkspaceOptions {
  return {
    stateDir: ctx.stateDir,
    backendUrl: ctx.backendUrl,
    passphrase: ctx.passphrase,
    ...(ctx.secretsProvider ? { secretsProvider: ctx.secretsProvider } : {}),
    isolated: ctx.isolated,
    ...(ctx.blueprintsRoot ? { blueprints: ctx.blueprintsRoot } : {}),
    ...(env ? { env } : {}),
  };
}
