/**
 * `majordome backend`: team state on a shared DIY backend (an S3-compatible bucket such as OVH Object Storage).
 *
 * - `backend init <url>` proves the backend is reachable and writable with the credentials in the environment,
 *   by logging the engine itself in (in a throwaway PULUMI_HOME, so the user's own login is untouched), and
 *   prints the environment a team exports. It creates only what the engine creates on first use
 *   (`.pulumi/meta.yaml`, the layout marker).
 * - `backend unlock <client>/<env>` clears the engine's lock of a stack left by a delivery that was killed
 *   (on a shared backend Majordome cannot see whether a process on another machine is alive, so a person or a
 *   pipeline decides, having read the holder named in the refusal). It runs `pulumi cancel`, which on a DIY
 *   backend deletes the stack's lock objects and nothing else.
 *
 * Credentials only ever travel in the environment, never on a command line, and are never printed.
 */
import { Stack } from "@pulumi/pulumi/automation";
import execa from "execa";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { shellQuote } from "../../base/shell";
import { ExitCode, UserError } from "../../base/errors";
import type { Io } from "../../base/io";
import { environmentRef } from "../../blueprints/lib/environmentRef";
import { workspaceOptions, type DeliveryContext } from "./context";
import { acquireLock } from "./locks";
import { ensureEngine, projectWorkspace } from "../engine/workspace";

/** The URL schemes of the engine's DIY backends. */
const SCHEMES = ["s3:", "gs:", "azblob:", "file:", "postgres:"];

/** A backend URL with any password masked, fit for messages. */
export function redactBackendUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "****";
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, "//****@");
  }
}

/**
 * Checks the shape of a backend URL before anything runs: a known scheme, and for `s3://` a bucket name and an
 * `endpoint` with its scheme (without one the AWS SDK would send the team's keys to Amazon, not to OVH).
 * Throws a UserError (exit 2) with a hint.
 */
export function checkBackendUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(
      `"${redactBackendUrl(url)}" is not a backend URL`,
      "e.g. s3://my-bucket?endpoint=https://s3.gra.io.cloud.ovh.net&region=gra&use_path_style=true",
    );
  }
  if (!SCHEMES.includes(u.protocol))
    throw new UserError(
      `unsupported backend scheme "${u.protocol}"`,
      `use one of ${SCHEMES.map((s) => `${s}//`).join(", ")}`,
    );
  if (u.protocol === "s3:") {
    if (!u.hostname)
      throw new UserError("the s3:// URL names no bucket", "s3://<bucket>?endpoint=…&region=…");
    const endpoint = u.searchParams.get("endpoint");
    if (endpoint !== null && !/^https?:\/\/[^/]+/.test(endpoint))
      throw new UserError(
        `endpoint "${endpoint}" needs its scheme`,
        "e.g. endpoint=https://s3.gra.io.cloud.ovh.net (or http://127.0.0.1:8333 for a local server)",
      );
    if (endpoint !== null && !u.searchParams.get("region"))
      throw new UserError("an s3:// URL with an endpoint needs a region", "add &region=<region>, e.g. gra");
    if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE && !u.searchParams.get("profile"))
      throw new UserError(
        "no S3 credentials in the environment",
        "export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (an OVH Public Cloud user's S3 credentials), or AWS_PROFILE",
      );
  }
  return u;
}

/** The engine's complaint, without its usage text and stack noise. */
function engineMessage(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.find((l) => /^error:/i.test(l)) ?? lines[0] ?? "no message").replace(/^error:\s*/i, "");
}

/** What `backend init` found. */
export interface BackendInitResult {
  readonly backendUrl: string;
  readonly stacks: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * Logs the engine into `url` in a throwaway PULUMI_HOME (the engine opens the bucket, reads and, on an empty
 * backend, writes its layout marker: a read and a write with the given credentials) and lists its stacks.
 */
export async function backendInit(url: string): Promise<BackendInitResult> {
  const parsed = checkBackendUrl(url);
  const bin = ensureEngine();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-backend-init-"));
  try {
    const env = {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
      PULUMI_HOME: home,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_BACKEND_URL: url,
      // `stack ls --all` needs no secrets; a dummy passphrase keeps the engine from prompting.
      PULUMI_CONFIG_PASSPHRASE: process.env.PULUMI_CONFIG_PASSPHRASE ?? "",
    };
    const login = await execa("pulumi", ["login", "--non-interactive"], {
      env,
      cwd: home,
      reject: false,
      timeout: 120_000,
    });
    if (login.exitCode !== 0)
      throw new UserError(
        `cannot use the backend ${redactBackendUrl(url)}: ${engineMessage(login.stderr)}`,
        parsed.protocol === "s3:"
          ? "check the bucket exists, the endpoint and region, and that AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY may read and write it"
          : "check the URL and the credentials in the environment",
      );
    const ls = await execa("pulumi", ["stack", "ls", "--all", "--json", "--non-interactive"], {
      env,
      cwd: home,
      reject: false,
      timeout: 120_000,
    });
    if (ls.exitCode !== 0)
      throw new UserError(`cannot list stacks in ${redactBackendUrl(url)}: ${engineMessage(ls.stderr)}`);
    const stacks = (JSON.parse(ls.stdout || "[]") as { name: string }[]).map((s) => s.name).sort();
    const environment: Record<string, string> = { PULUMI_BACKEND_URL: url };
    if (parsed.protocol === "s3:") {
      environment.AWS_ACCESS_KEY_ID = "<the S3 access key>";
      environment.AWS_SECRET_ACCESS_KEY = "<the S3 secret key>";
    }
    environment.PULUMI_CONFIG_PASSPHRASE =
      "<the team's secrets passphrase (or PULUMI_CONFIG_PASSPHRASE_FILE)>";
    return { backendUrl: url, stacks, environment };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

/** The `export …` lines a team needs, secrets as placeholders (never their values). */
export function exportLines(environment: Readonly<Record<string, string>>): string {
  return Object.entries(environment)
    .map(([k, v]) => (v.startsWith("<") ? `export ${k}=${v}` : `export ${k}=${shellQuote(v)}`))
    .join("\n");
}

/**
 * Removes the engine's lock(s) of `selector` on the shared backend (`pulumi cancel`), after taking Majordome's own
 * lock (refused at once if a delivery from this working copy still runs). Throws without `yes`.
 */
export async function backendUnlock(
  ctx: DeliveryContext,
  selector: string,
  yes: boolean,
  io: Io,
): Promise<number> {
  const ref = environmentRef(ctx.loader.repository, selector);
  const stackName = `${ref.client}-${ref.environment}`;
  if (!yes)
    throw new UserError(
      `not removing the lock of ${stackName} without --yes`,
      "make sure the delivery named in the lock (user@host, pid) is no longer running anywhere, then pass --yes",
    );
  const lock = acquireLock(ctx.locksDir, stackName, `majordome backend unlock ${selector}`, io.err);
  try {
    const ws = await projectWorkspace(workspaceOptions(ctx));
    let stack: Stack;
    try {
      stack = await Stack.select(stackName, ws);
    } catch {
      throw new UserError(`${stackName} is not in ${redactBackendUrl(ctx.backendUrl)}`);
    }
    await stack.cancel();
    io.err(
      `${stackName}: removed the engine's lock(s) in ${redactBackendUrl(ctx.backendUrl)}; the next delivery redoes what the killed one left pending`,
    );
    return ExitCode.Ok;
  } finally {
    lock.release();
  }
}
