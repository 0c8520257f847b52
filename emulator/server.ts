/**
 * The OVHcloud API emulator: an HTTP server on loopback that serves the API subset Majordome's components
 * use, verifies OVH request signatures, keeps its state on disk, and injects faults on demand.
 * Inspection (unsigned, loopback): see ./inspect.ts. Unknown routes are answered with OVH's 404 and logged.
 */
import findMyWay from "find-my-way";
import * as http from "http";
import type { AddressInfo } from "net";
import { OvhError } from "./errors";
import { Faults, type FaultConfig } from "./faults";
import { inspect } from "./inspect";
import { checkParams, clip, MAX_BODY_BYTES, parseBody, tooLarge } from "./requestGuards";
import { authRoutes } from "./routes/auth";
import { Reply, type Route, type RouteContext } from "./routes/common";
import { computeRoutes } from "./routes/compute";
import { edgeRoutes } from "./routes/edge";
import { managedRoutes } from "./routes/managed";
import { networkRoutes } from "./routes/network";
import { subnetV2Routes } from "./routes/subnetV2";
import { storageRoutes } from "./routes/storage";
import { volumeRoutes } from "./routes/volumes";
import { checkSignature, type Credentials } from "./signature";
import { Store } from "./store";

/** The application the emulator accepts by default (stack config for rehearsals). */
export const DEFAULT_CREDENTIALS: Credentials = {
  applicationKey: "majordome-emulator-ak",
  applicationSecret: "majordome-emulator-as",
  consumerKey: "majordome-emulator-ck",
};

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** Port on 127.0.0.1. @default a free one */
  readonly port?: number;
  /** Where state is kept. @default in memory only */
  readonly stateFile?: string;
  readonly credentials?: Credentials;
  /** How long asynchronous work takes before reaching its ready status (ms). @default 0 */
  readonly delayMs?: number;
  readonly faults?: FaultConfig;
  /** DNS zones the emulated account owns. @default ["example.com"] */
  readonly zones?: readonly string[];
  /** Clock (ms). @default Date.now */
  readonly clock?: () => number;
  /** Where the emulator logs what a client should know about (unknown routes, handler errors). @default stderr */
  readonly log?: (line: string) => void;
}

/** A running emulator. */
export interface Emulator {
  /** The endpoint to give the provider: `http://127.0.0.1:<port>/1.0`. */
  readonly endpoint: string;
  readonly port: number;
  readonly store: Store;
  readonly faults: Faults;
  readonly credentials: Credentials;
  /**
   * Requests served, by `METHOD /path-pattern` (for tests and benchmarks); requests no route serves are counted
   * under `UNKNOWN METHOD /path` (at most {@link MAX_UNKNOWN_KEYS} distinct paths, then `UNKNOWN (other)`).
   */
  readonly requests: Map<string, number>;
  close(): Promise<void>;
}

/** How many distinct unknown routes the request counts keep (unknown paths are unbounded). */
export const MAX_UNKNOWN_KEYS = 200;

/** Starts the emulator. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  const store = new Store(options.stateFile);
  const faults = new Faults(options.faults);
  const clock = options.clock ?? Date.now;
  const delayMs = options.delayMs ?? 0;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const requests = new Map<string, number>();
  const router = findMyWay({ ignoreTrailingSlash: false, caseSensitive: true });
  const routes: Route[] = [
    ...authRoutes,
    ...networkRoutes,
    ...subnetV2Routes,
    ...computeRoutes,
    ...volumeRoutes,
    ...managedRoutes,
    ...storageRoutes,
    ...edgeRoutes(options.zones ?? ["example.com"]),
  ];
  for (const r of routes) router.on(r.method, r.path, () => undefined, { route: r });
  let endpoint = "";

  const count = (key: string) => requests.set(key, (requests.get(key) ?? 0) + 1);
  const send = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": "application/json; charset=utf-8",
      "X-Ovh-QueryID": `EU.emulator.${Date.now().toString(36)}`,
      ...headers,
    });
    res.end(text);
  };
  const sendError = (res: http.ServerResponse, e: OvhError) => send(res, e.status, e.body());

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Past the limit the rest of the body is read and dropped (so the client still gets the 413), never kept.
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) return sendError(res, tooLarge());
      void handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((e) => {
        log(`emulator: internal error on ${req.method} ${clip(req.url ?? "", 200)}: ${errorText(e)}`);
        send(res, 500, {
          class: "Server::InternalServerError",
          message: `emulator error: ${errorText(e)}`,
        });
      });
    });
  });

  /** Answers a request no route serves: 405 when the path exists for another method, else OVH's 404. */
  function unknownRoute(res: http.ServerResponse, method: string, pathname: string): void {
    const key = `UNKNOWN ${method} ${clip(pathname, 200)}`;
    count(requests.has(key) || requests.size < MAX_UNKNOWN_KEYS ? key : "UNKNOWN (other)");
    const other = ["GET", "POST", "PUT", "DELETE"].some(
      (m) => m !== method && router.find(m as "GET", pathname),
    );
    log(`emulator: no route for ${method} ${clip(pathname, 200)} (answered ${other ? 405 : 404})`);
    if (other)
      return send(res, 405, {
        class: "Client::MethodNotAllowed",
        message: `Received not described method '${method}' on path '${clip(pathname, 200)}'`,
      });
    send(res, 404, {
      class: "Client::NotFound",
      message: "Got an invalid (or empty) URL",
      errorCode: "INVALID_URL",
    });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string): Promise<void> {
    const rawUrl = req.url ?? "/";
    const queryAt = rawUrl.indexOf("?");
    const pathname = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const search = queryAt < 0 ? "" : rawUrl.slice(queryAt + 1);
    const method = (req.method ?? "GET").toUpperCase();
    if (pathname.startsWith("/_emulator/")) {
      const answer = inspect(
        { store, faults, requests, endpoint: () => endpoint },
        method,
        pathname,
        rawBody,
      );
      return send(res, answer.status, answer.body);
    }
    const found = router.find(method as "GET", pathname);
    const route = (found?.store as { route?: Route } | undefined)?.route;
    if (!found || !route) return unknownRoute(res, method, pathname);
    count(`${method} ${route.path}`);
    if (route.path !== "/1.0/auth/time") {
      const refused = checkSignature(
        credentials,
        { method, url: `http://${req.headers.host}${rawUrl}`, body: rawBody, headers: req.headers },
        Math.floor(clock() / 1000),
      );
      if (refused)
        return send(res, refused.status, {
          class: refused.status === 403 ? "Client::Forbidden" : "Client::BadRequest",
          message: refused.message,
          errorCode: refused.errorCode,
          httpCode: String(refused.status),
        });
    }
    const params = { ...(found.params as Record<string, string | undefined>) };
    let body: unknown;
    try {
      checkParams(params);
    } catch (e) {
      if (e instanceof OvhError) return sendError(res, e);
      throw e;
    }
    const decision = faults.decide(method, pathname);
    if (decision.latencyMs) await new Promise((r) => setTimeout(r, decision.latencyMs));
    if (decision.error?.status === 429)
      return send(
        res,
        429,
        { class: "Client::TooManyRequests", message: "Too many requests" },
        { "Retry-After": String(decision.error.retryAfter ?? 1) },
      );
    if (decision.error)
      return send(res, 500, { class: "Server::InternalServerError", message: "Internal server error" });
    try {
      body = parseBody(rawBody);
    } catch (e) {
      if (e instanceof OvhError) return sendError(res, e);
      throw e;
    }
    const ctx: RouteContext = {
      method,
      params: params as Record<string, string>,
      query: new URLSearchParams(search),
      body,
      store,
      now: clock(),
      delayMs,
      failTask: decision.failTask,
    };
    let status = 200;
    let result: unknown;
    try {
      result = route.handler(ctx);
      if (result instanceof Reply) {
        status = result.status;
        result = result.body;
      }
    } catch (e) {
      if (e instanceof OvhError) {
        store.save();
        return sendError(res, e);
      }
      // A body of the wrong shape (a string where an object was expected…) reaching a handler is the client's
      // mistake: answer 400 like OVH's schema check would, and log it so the gap in validation is seen.
      if (body !== undefined && (e instanceof TypeError || e instanceof RangeError)) {
        log(`emulator: malformed body on ${method} ${route.path}: ${errorText(e)}`);
        store.save();
        return sendError(res, new OvhError(400, `Invalid body: ${errorText(e)}`, "INVALID_ARGUMENT"));
      }
      throw e;
    }
    store.save();
    if (decision.loseResponse) return send(res, 502, { class: "Server::BadGateway", message: "Bad gateway" });
    send(res, status, result === undefined ? null : result);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  endpoint = `http://127.0.0.1:${port}/1.0`;
  return {
    endpoint,
    port,
    store,
    faults,
    credentials,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
