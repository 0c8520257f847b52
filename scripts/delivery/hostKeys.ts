/**
 * Host keys pinned per environment and host (stack config `majordome:hostKeyPins.<host>`): recorded after the
 * first delivery that reached the host (trust on first use), checked by every later connection (the build
 * steps refuse another key), and replaced only by `majordome hosts trust`, deliberately.
 */
import type { ConfigMap, OutputMap, Stack } from "@pulumi/pulumi/automation";
import { createHash } from "crypto";
import { Client } from "ssh2";
import { UserError } from "../../base/errors";
import type { LoadedEnvironment } from "../../blueprints/lib/loader";
import { projectWorkspace, stackExists } from "../engine/workspace";
import type { DeliveryContext } from "./context";
import { acquireLock } from "./locks";

/** The pins a stack's config holds, by host name. */
export function pinsOf(config: ConfigMap | undefined): Map<string, string> {
  const pins = new Map<string, string>();
  const raw = config?.["majordome:hostKeyPins"]?.value;
  if (raw === undefined) return pins;
  try {
    const parsed = JSON.parse(String(raw)) as unknown;
    if (parsed && typeof parsed === "object")
      for (const [host, fp] of Object.entries(parsed)) if (typeof fp === "string") pins.set(host, fp);
  } catch {
    /* not an object: nothing pinned */
  }
  return pins;
}

/**
 * The host keys a delivered stack's outputs record (inventory `hosts.<name>.hostKey`), by host name. The
 * outputs live in the state, shared by every working copy and CI runner using the backend, while the stack
 * config is one working copy's: a fresh copy pins from here, so it refuses an impostor as the first one does.
 */
export function deliveredPins(outputs: OutputMap | undefined): Map<string, string> {
  const pins = new Map<string, string>();
  const hosts = (outputs?.inventory?.value as { hosts?: unknown } | undefined)?.hosts;
  if (!hosts || typeof hosts !== "object") return pins;
  for (const [name, host] of Object.entries(hosts as Record<string, unknown>)) {
    const key = (host as { hostKey?: unknown } | null)?.hostKey;
    if (typeof key === "string" && key.startsWith("SHA256:")) pins.set(name, key);
  }
  return pins;
}

/**
 * The pins in force for an operation: the working copy's stack config (where `hosts trust` writes), else what
 * the delivered stack recorded ({@link deliveredPins}).
 */
export function pinsInForce(
  config: ConfigMap | undefined,
  outputs: OutputMap | undefined,
): Map<string, string> {
  return new Map([...deliveredPins(outputs), ...pinsOf(config)]);
}

/**
 * After a successful delivery: pins the host keys the connect steps saw for hosts that have neither a pin nor
 * a `hostKey` in the blueprint. A host the delivered stack already knew (`known`, {@link deliveredPins}) is
 * pinned quietly in this working copy; the others are trusted on first use, one line each for the output and
 * the report.
 */
export async function recordFirstUse(
  stack: Stack,
  loaded: LoadedEnvironment,
  inventory: unknown,
  known: ReadonlyMap<string, string> = new Map(),
): Promise<string[]> {
  const pins = pinsOf(await stack.getAllConfig());
  const hosts = (inventory as { hosts?: Record<string, { hostKey?: unknown }> } | undefined)?.hosts ?? {};
  const lines: string[] = [];
  for (const host of loaded.resolved.hosts) {
    if (host.hostKey || pins.has(host.name) || !Object.hasOwn(hosts, host.name)) continue;
    const seen = hosts[host.name].hostKey;
    if (typeof seen !== "string" || !seen.startsWith("SHA256:")) continue;
    await stack.setConfig(`majordome:hostKeyPins.${host.name}`, { value: seen }, true);
    if (known.get(host.name) === seen) continue;
    lines.push(
      `host "${host.name}" (${host.address}:${host.port}): host key ${seen} trusted on first use; later connections refuse any other`,
    );
  }
  return lines;
}

/** Connects to `address:port` only to read the host key the server shows; returns its SHA256 fingerprint. */
export function fetchHostKey(address: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    let fingerprint: string | undefined;
    const finish = () => {
      client.end();
      if (fingerprint) resolve(fingerprint);
      else reject(new UserError(`${address}:${port} did not show a host key`, undefined, 4));
    };
    client.on("error", (e: Error) => {
      if (fingerprint) finish();
      else reject(new UserError(`${address}:${port}: ${e.message}`, undefined, 4));
    });
    client.on("ready", finish);
    client.connect({
      host: address,
      port,
      username: "majordome-host-key-check",
      readyTimeout: 10000,
      hostVerifier: (key: Buffer) => {
        fingerprint = `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
        return false; // nothing more is needed: no authentication is attempted
      },
    });
  });
}

/** What `majordome hosts trust` did. */
export interface TrustResult {
  readonly host: string;
  readonly previous?: string;
  readonly fingerprint: string;
}

/** Pins the key `host` of `selector` shows now, replacing any earlier pin (the deliberate acceptance). */
export async function trustHost(
  ctx: DeliveryContext,
  selector: string,
  hostName: string,
  say: (line: string) => void,
): Promise<TrustResult> {
  const [client, environment] = selector.split("/");
  const loaded = ctx.loader.loadEnvironment(client, environment);
  const host = loaded.resolved.hosts.find((h) => h.name === hostName);
  if (!host)
    throw new UserError(
      `${selector} has no host "${hostName}"`,
      `hosts: ${loaded.resolved.hosts.map((h) => h.name).join(", ") || "none"}`,
    );
  if (host.hostKey)
    throw new UserError(
      `host "${hostName}" of ${selector} has its host key written in the blueprint`,
      "change hosts[].hostKey in the blueprint instead",
    );
  const lock = acquireLock(
    ctx.locksDir,
    loaded.resolved.stackName,
    `majordome hosts trust ${selector} ${hostName}`,
    say,
  );
  try {
    const ws = await projectWorkspace({
      stateDir: ctx.stateDir,
      backendUrl: ctx.backendUrl,
      passphrase: ctx.passphrase,
      isolated: ctx.isolated,
      ...(ctx.blueprintsRoot ? { blueprints: ctx.blueprintsRoot } : {}),
    });
    if (!(await stackExists(ws, loaded.resolved.stackName)))
      throw new UserError(`${selector} has never been delivered: nothing is pinned yet`);
    const previous = pinsInForce(
      await ws.getAllConfig(loaded.resolved.stackName),
      await ws.stackOutputs(loaded.resolved.stackName),
    ).get(hostName);
    const fingerprint = await fetchHostKey(host.address, host.port);
    await ws.setConfig(
      loaded.resolved.stackName,
      `majordome:hostKeyPins.${hostName}`,
      { value: fingerprint },
      true,
    );
    return { host: hostName, fingerprint, ...(previous ? { previous } : {}) };
  } finally {
    lock.release();
  }
}
