/**
 * A real S3-compatible server for tests: SeaweedFS (`weed mini`: master, volume, filer and S3 gateway in one
 * process) on loopback, with its data in a temporary folder, one bucket, and one identity whose keys are
 * required (no anonymous access), so a wrong key is refused as by OVH Object Storage.
 *
 * The binary is built once by tools/s3server/setup.sh and cached outside the working tree. Keys never appear
 * on a command line: the identities file is written with mode 0600 and the server's environment is scrubbed
 * of AWS_* variables (SeaweedFS would otherwise add an identity from them).
 */
import { execFileSync, spawn, type ChildProcess } from "child_process";
import { createHash, createHmac, randomBytes } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { PROJECT_ROOT } from "../../base/paths";
import { freePort } from "../testhost/testHost";

const SETUP = path.join(PROJECT_ROOT, "tools", "s3server", "setup.sh");

let weedCache: string | undefined;

/** Builds or reuses the cached `weed` binary and returns its path. */
export function s3ServerBinary(): string {
  if (!weedCache) {
    weedCache =
      process.env.MAJORDOME_S3SERVER_BIN ||
      execFileSync("bash", [SETUP], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  }
  return weedCache;
}

/** S3 credentials. */
export interface S3Credentials {
  readonly accessKey: string;
  readonly secretKey: string;
}

/** A running S3 server. */
export interface S3Server extends S3Credentials {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The bucket created at start. */
  readonly bucket: string;
  /** The server's process id (leader of its process group). */
  readonly pid: number;
  /** Milliseconds from spawn to a signed request answered. */
  readonly startMs: number;
  /** The engine's backend URL for `bucket` (default: the bucket created at start). */
  backendUrl(bucket?: string): string;
  /** Environment variables that point the engine at this server with these keys. */
  env(bucket?: string): Record<string, string>;
  /** Keys of the objects under `prefix` in the bucket (signed ListObjectsV2). */
  list(prefix?: string, credentials?: S3Credentials): Promise<string[]>;
  /** A signed GET of `/<bucket>/<key>` (or of the bucket, with a query); status and body. */
  request(pathAndQuery: string, credentials?: S3Credentials): Promise<{ status: number; body: string }>;
  /** Stops the server (its whole process group) and removes its data. */
  stop(): Promise<void>;
}

/** Options of {@link startS3Server}. */
export interface S3ServerOptions {
  /** Folder for the server's data and configuration. @default a new temporary folder */
  readonly dir?: string;
  /** Bucket created at start. @default majordome-state */
  readonly bucket?: string;
  /** How long to wait for the server. @default 60000 */
  readonly timeoutMs?: number;
}

const REGION = "us-east-1";

/** RFC 3986 encoding, as SigV4 wants it. */
function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A signed (AWS Signature V4) GET: enough S3 for readiness, listing and proving that a wrong key is refused,
 * without an SDK dependency. `pathAndQuery` is e.g. `/bucket?list-type=2&prefix=x`.
 */
export function signedGet(
  endpoint: string,
  pathAndQuery: string,
  credentials: S3Credentials,
  timeoutMs = 5000,
): Promise<{ status: number; body: string }> {
  const url = new URL(pathAndQuery, endpoint);
  const amzDate = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const payloadHash = createHash("sha256").update("").digest("hex");
  const query = [...url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonicalPath = url.pathname
    .split("/")
    .map((p) => rfc3986(decodeURIComponent(p)))
    .join("/");
  const headers: Record<string, string> = {
    host: url.host,
    "x-amz-content-sha256": payloadHash,
    "x-amz-date": amzDate,
  };
  const signed = Object.keys(headers).sort();
  const canonical = [
    "GET",
    canonicalPath,
    query,
    ...signed.map((h) => `${h}:${headers[h]}`),
    "",
    signed.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${day}/${REGION}/s3/aws4_request`;
  const toSign = [
    "AWS4-HMAC-SHA256",
    amzDate,
    scope,
    createHash("sha256").update(canonical).digest("hex"),
  ].join("\n");
  const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
  let key = hmac(`AWS4${credentials.secretKey}`, day);
  for (const part of [REGION, "s3", "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  const authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKey}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`;
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { ...headers, authorization }, timeout: timeoutMs }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${pathAndQuery}: timed out`)));
    req.on("error", reject);
  });
}

/** The ports `weed mini` opens; each is chosen free and passed explicitly, so several servers can run at once. */
const PORT_FLAGS = [
  "master.port",
  "master.port.grpc",
  "volume.port",
  "volume.port.grpc",
  "filer.port",
  "filer.port.grpc",
  "s3.port",
  "s3.port.grpc",
  "admin.port",
  "admin.port.grpc",
  "webdav.port",
] as const;

/** Starts SeaweedFS on loopback with one bucket and one required identity. */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const weed = s3ServerBinary();
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "majordome-s3-"));
  const bucket = options.bucket ?? "majordome-state";
  const dataDir = path.join(dir, "data");
  fs.mkdirSync(dataDir, { recursive: true });
  const accessKey = `MJD${randomBytes(8).toString("hex").toUpperCase()}`;
  const secretKey = randomBytes(24).toString("base64url");
  const configFile = path.join(dir, "s3-identities.json");
  fs.writeFileSync(
    configFile,
    JSON.stringify({
      identities: [
        {
          name: "majordome",
          credentials: [{ accessKey, secretKey }],
          actions: ["Admin", "Read", "List", "Tagging", "Write"],
        },
      ],
    }),
    { mode: 0o600 },
  );
  // Distinct free ports: ask for them all before any is used, so the OS cannot hand out one twice.
  const ports: number[] = [];
  while (ports.length < PORT_FLAGS.length) {
    const p = await freePort();
    // weed derives nothing from these when given explicitly, but keep clear of its own +10000 gRPC convention.
    if (!ports.includes(p) && p + 10000 < 65536) ports.push(p);
  }
  const port = Object.fromEntries(PORT_FLAGS.map((f, i) => [f, ports[i]])) as Record<
    (typeof PORT_FLAGS)[number],
    number
  >;
  const args = [
    "mini",
    `-dir=${dataDir}`,
    "-ip=127.0.0.1",
    "-ip.bind=127.0.0.1",
    ...PORT_FLAGS.map((f) => `-${f}=${port[f]}`),
    "-admin.port.legacy=0",
    "-s3.port.iceberg=0",
    "-s3.port.lance=0",
    "-webdav=false",
    "-admin.ui=false",
    // Never reach the internet from a test (its default reports anonymous statistics).
    "-master.telemetry=false",
    `-s3.config=${configFile}`,
    `-bucket=${bucket}`,
  ];
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("S3_")),
  ) as NodeJS.ProcessEnv;
  const logFile = path.join(dir, "weed.log");
  const started = Date.now();
  const child: ChildProcess = spawn(weed, args, {
    cwd: dir,
    env,
    detached: true, // its own process group, killed as one on stop
    stdio: ["ignore", fs.openSync(logFile, "w"), fs.openSync(logFile, "a")],
  });
  const endpoint = `http://127.0.0.1:${port["s3.port"]}`;
  const credentials = { accessKey, secretKey };
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").slice(-3000) : "");
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        /* already gone */
      }
      const done = await Promise.race([
        exited.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 10000)),
      ]);
      if (!done)
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          /* already gone */
        }
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  // Ready when a signed listing of the bucket succeeds: the gateway is up, the identity loaded, the bucket made.
  const deadline = started + (options.timeoutMs ?? 60000);
  let last: string;
  for (;;) {
    if (child.exitCode !== null) {
      const text = log();
      await stop();
      throw new Error(`SeaweedFS exited (${child.exitCode}) before it was ready:\n${text}`);
    }
    try {
      const r = await signedGet(endpoint, `/${bucket}?list-type=2`, credentials, 2000);
      if (r.status === 200) break;
      last = `HTTP ${r.status}: ${r.body.slice(0, 200)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) {
      const text = log();
      await stop();
      throw new Error(`SeaweedFS not ready after ${options.timeoutMs ?? 60000} ms (${last}):\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const startMs = Date.now() - started;
  const backendUrl = (b = bucket) => `s3://${b}?endpoint=${endpoint}&region=${REGION}&use_path_style=true`;
  return {
    endpoint,
    bucket,
    accessKey,
    secretKey,
    pid: child.pid as number,
    startMs,
    backendUrl,
    env: (b = bucket) => ({
      PULUMI_BACKEND_URL: backendUrl(b),
      AWS_ACCESS_KEY_ID: accessKey,
      AWS_SECRET_ACCESS_KEY: secretKey,
      AWS_REGION: REGION,
    }),
    request: (pathAndQuery, creds = credentials) => signedGet(endpoint, pathAndQuery, creds),
    list: async (prefix = "", creds = credentials) => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const q = `/${bucket}?list-type=2&prefix=${rfc3986(prefix)}${token ? `&continuation-token=${rfc3986(token)}` : ""}`;
        const r = await signedGet(endpoint, q, creds);
        if (r.status !== 200) throw new Error(`listing ${bucket}/${prefix}: HTTP ${r.status}: ${r.body}`);
        for (const m of r.body.matchAll(/<Key>([^<]*)<\/Key>/g)) keys.push(m[1].replace(/&amp;/g, "&"));
        token = /<IsTruncated>true<\/IsTruncated>/.test(r.body)
          ? /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(r.body)?.[1]
          : undefined;
      } while (token);
      return keys.sort();
    },
    stop,
  };
}
