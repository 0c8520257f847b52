/**
 * A stack's configuration, derived from its blueprint and the environment: which blueprint it builds, the
 * OVH endpoint, project and credentials (secrets), and the private keys of SSH-reached hosts (secrets).
 * Everything missing is reported at once, before anything is changed.
 */
import type { ConfigMap, LocalWorkspace, Stack } from "@pulumi/pulumi/automation";
import execa from "execa";
import * as fs from "fs";
import type { LoadedEnvironment } from "../../blueprints/lib/loader";
import { UserError } from "../../base/errors";

/** The environment variable that carries a host key: `MAJORDOME_HOST_KEY_<KEY_SECRET>` (or `…_FILE_…`). */
export function hostKeyVariable(keySecret: string, file = false): string {
  return `MAJORDOME_HOST_KEY_${file ? "FILE_" : ""}${keySecret
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]/g, "_")
    .toUpperCase()}`;
}

/** OVH settings: stack config key, environment variable, secret or not. */
const OVH_SETTINGS = [
  { key: "ovh:applicationKey", env: "OVH_APPLICATION_KEY", secret: false },
  { key: "ovh:applicationSecret", env: "OVH_APPLICATION_SECRET", secret: true },
  { key: "ovh:consumerKey", env: "OVH_CONSUMER_KEY", secret: true },
  { key: "majordome:ovhProjectId", env: "OVH_CLOUD_PROJECT_SERVICE", secret: false },
] as const;

/**
 * Computes the config to set for `loaded`, reading secrets from the environment; keys the stack already has
 * (`existing`, undefined for a new stack) are kept. Throws one UserError listing everything missing.
 */
export function stackConfigFor(
  existing: ConfigMap | undefined,
  loaded: LoadedEnvironment,
  env: NodeJS.ProcessEnv = process.env,
): ConfigMap {
  const has = (key: string) => existing !== undefined && Object.hasOwn(existing, key);
  const config: ConfigMap = {
    "majordome:blueprint": { value: `${loaded.resolved.client}/${loaded.resolved.environment}` },
  };
  const missing = missingCredentials(existing, loaded, env).map((m) => m.description);
  if (missing.length) {
    throw new UserError(
      `${loaded.resolved.stackName}: missing credentials, nothing was changed:\n  - ${missing.join("\n  - ")}`,
      "export them in the environment (CI: as masked secrets); they are stored only encrypted in the stack config",
    );
  }
  const target = loaded.resolved.target;
  if (target) {
    const endpoint = env.OVH_ENDPOINT ?? (has("ovh:endpoint") ? undefined : target.endpoint);
    if (endpoint) config["ovh:endpoint"] = { value: endpoint };
    for (const s of OVH_SETTINGS) {
      const value = env[s.env];
      if (value) config[s.key] = { value, secret: s.secret };
    }
  }
  const seen = new Set<string>();
  for (const host of loaded.resolved.hosts) {
    if (seen.has(host.keySecret)) continue;
    seen.add(host.keySecret);
    const key = `majordome:hostKeys.${host.keySecret}`;
    const inline = env[hostKeyVariable(host.keySecret)];
    const file = env[hostKeyVariable(host.keySecret, true)];
    if (inline) config[key] = { value: inline, secret: true };
    else if (file) {
      if (!fs.existsSync(file))
        throw new UserError(
          `${hostKeyVariable(host.keySecret, true)} points at ${file}, which does not exist`,
        );
      config[key] = { value: fs.readFileSync(file, "utf8"), secret: true };
    }
  }
  return config;
}

/** A credential the environment does not provide and the stack does not have yet. */
export interface MissingCredential {
  /** The environment variable that would provide it. */
  readonly variable: string;
  readonly description: string;
  /** Ask without echo. */
  readonly hidden: boolean;
}

/** Lists the credentials that neither `env` nor the stack's `existing` config provide. */
export function missingCredentials(
  existing: ConfigMap | undefined,
  loaded: LoadedEnvironment,
  env: NodeJS.ProcessEnv = process.env,
): MissingCredential[] {
  const has = (key: string) => existing !== undefined && Object.hasOwn(existing, key);
  const missing: MissingCredential[] = [];
  if (loaded.resolved.target) {
    for (const s of OVH_SETTINGS) {
      if (!env[s.env] && !has(s.key))
        missing.push({ variable: s.env, description: `${s.env} (stack config ${s.key})`, hidden: s.secret });
    }
  }
  const seen = new Set<string>();
  for (const host of loaded.resolved.hosts) {
    if (seen.has(host.keySecret)) continue;
    seen.add(host.keySecret);
    const stored =
      existing?.["majordome:hostKeys"] !== undefined &&
      String(existing["majordome:hostKeys"].value).includes(`"${host.keySecret}"`);
    if (!env[hostKeyVariable(host.keySecret)] && !env[hostKeyVariable(host.keySecret, true)] && !stored) {
      missing.push({
        variable: hostKeyVariable(host.keySecret, true),
        description: `${hostKeyVariable(host.keySecret)} or ${hostKeyVariable(host.keySecret, true)} (private key of host "${host.name}")`,
        hidden: false,
      });
    }
  }
  return missing;
}

/**
 * Applies the config (path keys for host keys). Secret values are handed to `pulumi config set` on its
 * standard input, never as arguments: `/proc/<pid>/cmdline` is readable by every local user, and the
 * Automation API's `setConfig` puts the value on the command line.
 */
export async function applyStackConfig(stack: Stack, config: ConfigMap): Promise<void> {
  const ws = stack.workspace as LocalWorkspace;
  for (const [key, value] of Object.entries(config)) {
    const isPath = key.startsWith("majordome:hostKeys.");
    if (!value.secret) {
      await stack.setConfig(key, value, isPath);
      continue;
    }
    const args = ["config", "set", "--stack", stack.name, "--secret", "--non-interactive"];
    if (isPath) args.push("--path");
    args.push(key);
    const env: Record<string, string> = { ...(ws.envVars ?? {}) };
    if (ws.pulumiHome) env.PULUMI_HOME = ws.pulumiHome;
    const result = await execa("pulumi", args, {
      cwd: ws.workDir,
      env,
      input: value.value,
      reject: false,
    });
    if (result.exitCode !== 0)
      throw new Error(`could not store the secret ${key} in ${stack.name}'s config: ${result.stderr.trim()}`);
  }
}

/** Environment variables that carry credentials: read once, then removed from this process's environment. */
const CREDENTIAL_VARIABLE =
  /^(OVH_APPLICATION_KEY|OVH_APPLICATION_SECRET|OVH_CONSUMER_KEY|MAJORDOME_HOST_KEY_[A-Z0-9_]+)$/;

const taken: Record<string, string> = {};

/**
 * Moves the credentials out of `env` (by default this process's environment) into memory and returns them.
 * Child processes (the engine, the program, providers, ssh) inherit this process's environment, where
 * `/proc/<pid>/environ` would show them; only `deliver` needs them, and it passes them on through the
 * encrypted stack config. Idempotent: later calls return what earlier ones took.
 */
export function takeCredentials(env: NodeJS.ProcessEnv = process.env): Readonly<Record<string, string>> {
  for (const name of Object.keys(env)) {
    const value = env[name];
    if (!CREDENTIAL_VARIABLE.test(name) || value === undefined) continue;
    taken[name] = value;
    delete env[name];
  }
  return { ...taken };
}
