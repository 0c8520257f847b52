/**
 * The OVHcloud API emulator: an HTTP server on loopback that serves the API subset Majordome's components
 * use, verifies OVH request signatures, keeps its state on disk, and injects faults on demand.
 * Inspection (unsigned): GET /_emulator/health, GET /_emulator/state, POST /_emulator/reset, PUT /_emulator/faults.
 */
import findMyWay from "find-my-way";
import * as http from "http";
import type { AddressInfo } from "net";
import { OvhError } from "./errors";
import { Faults, type FaultConfig } from "./faults";
import { authRoutes } from "./routes/auth";
import { Reply, type Route, type RouteContext } from "./routes/common";
import { computeRoutes } from "./routes/compute";
import { edgeRoutes } from "./routes/edge";
import { managedRoutes } from "./routes/managed";
import { networkRoutes } from "./routes/network";
import { storageRoutes } from "./routes/storage";
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
}

/** A running emulator. */
export interface Emulator {
  /** The endpoint to give the provider: `http://127.0.0.1:<port>/1.0`. */
  readonly endpoint: string;
  readonly port: number;
  readonly store: Store;
  readonly faults: Faults;
  readonly credentials: Credentials;
  /** Requests served, by `METHOD /path-pattern` (for tests and benchmarks). */
  readonly requests: Map<string, number>;
  close(): Promise<void>;
}

const PROJECT = /^\/1\.0\/cloud\/project\/([^/]+)/;

/** Starts the emulator. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const credentials = options.credentials ?? DEFAULT_CREDENTIALS;
  const store = new Store(options.stateFile);
  const faults = new Faults(options.faults);
  const clock = options.clock ?? Date.now;
  const delayMs = options.delayMs ?? 0;
  const requests = new Map<string, number>();
  const router = findMyWay({ ignoreTrailingSlash: false, caseSensitive: true });
  const routes: Route[] = [
    ...authRoutes,
    ...networkRoutes,
    ...computeRoutes,
    ...managedRoutes,
    ...storageRoutes,
    ...edgeRoutes(options.zones ?? ["example.com"]),
  ];
  for (const r of routes) router.on(r.method, r.path, () => undefined, { route: r });

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

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((e) =>
        send(res, 500, {
          class: "Server::InternalServerError",
          message: `emulator error: ${e instanceof Error ? e.message : String(e)}`,
        }),
      );
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, rawBody: string): Promise<void> {
    const rawUrl = req.url ?? "/";
    const [pathname, search = ""] = rawUrl.split("?");
    const method = (req.method ?? "GET").toUpperCase();
    if (pathname.startsWith("/_emulator/")) return inspect(method, pathname, rawBody, res);
    const found = router.find(method as "GET", pathname);
    const route = (found?.store as { route?: Route } | undefined)?.route;
    if (!route) {
      if (["GET", "POST", "PUT", "DELETE"].some((m) => m !== method && router.find(m as "GET", pathname))) {
        return send(res, 405, {
          class: "Client::MethodNotAllowed",
          message: `Received not described method '${method}' on path '${pathname}'`,
        });
      }
      return send(res, 404, {
        class: "Client::NotFound",
        message: "Got an invalid (or empty) URL",
        errorCode: "INVALID_URL",
      });
    }
    const key = `${method} ${route.path}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
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
    const project = PROJECT.exec(pathname);
    if (project && !/^[0-9a-f]{32}$/.test(project[1]))
      return send(res, 404, {
        class: "Client::NotFound",
        message: "This service does not exist",
        errorCode: "SERVICE_NOT_FOUND",
      });
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
    let body: unknown;
    if (rawBody.trim() !== "") {
      try {
        body = JSON.parse(rawBody);
      } catch {
        return send(res, 400, {
          class: "Client::BadRequest",
          message: "Invalid JSON received",
          errorCode: "INVALID_JSON",
        });
      }
    }
    const ctx: RouteContext = {
      method,
      params: found?.params as Record<string, string>,
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
        return send(res, e.status, e.body());
      }
      throw e;
    }
    store.save();
    if (decision.loseResponse) return send(res, 502, { class: "Server::BadGateway", message: "Bad gateway" });
    send(res, status, result === undefined ? null : result);
  }

  function inspect(method: string, pathname: string, rawBody: string, res: http.ServerResponse): void {
    if (method === "GET" && pathname === "/_emulator/health")
      return send(res, 200, { ok: true, endpoint, objects: store.inventory().length });
    if (method === "GET" && pathname === "/_emulator/state")
      return send(
        res,
        200,
        store.inventory().filter((o) => o.kind !== "operation"),
      );
    if (method === "GET" && pathname === "/_emulator/requests")
      return send(res, 200, Object.fromEntries(requests));
    if (method === "POST" && pathname === "/_emulator/reset") {
      store.reset();
      requests.clear();
      return send(res, 200, { ok: true });
    }
    if (method === "PUT" && pathname === "/_emulator/faults") {
      try {
        faults.set(JSON.parse(rawBody || '{"rules":[]}') as FaultConfig);
        return send(res, 200, faults.current);
      } catch {
        return send(res, 400, {
          message: 'faults must be JSON: {"seed":1,"rules":[{"route":"POST .*","errorRate":0.1}]}',
        });
      }
    }
    if (method === "PATCH" && pathname === "/_emulator/objects") {
      // Changes made "behind the toolkit's back", for drift rehearsals: [{kind, id, set: {field: value}}].
      for (const change of JSON.parse(rawBody || "[]") as {
        kind: string;
        id: string;
        set: Record<string, unknown>;
      }[]) {
        const o = store.get(change.kind, change.id);
        if (o) Object.assign(o, change.set);
      }
      store.save();
      return send(res, 200, { ok: true });
    }
    return send(res, 404, { message: "unknown emulator endpoint" });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}/1.0`;
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
