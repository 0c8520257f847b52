/**
 * A signed OVH API client that retries transient faults the way a careful provider would: 5xx and 429 (honouring
 * Retry-After), with bounded exponential backoff. It counts what it sends, so replays can report requests,
 * retries and time spent waiting.
 */
import * as http from "http";
import { ovhSignature, type Credentials } from "../signature";

/** One answer. */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** Response headers, lower-case names. */
  readonly headers: http.IncomingHttpHeaders;
}

/** Retry bounds. */
export interface RetryPolicy {
  /** Attempts per request, the first included. @default 8 */
  readonly maxAttempts?: number;
  /** First backoff (ms), doubled per retry. @default 50 */
  readonly baseDelayMs?: number;
  /** Longest single wait (ms), Retry-After included. @default 5000 */
  readonly maxDelayMs?: number;
}

/** What a client did. */
export interface ClientStats {
  requests: number;
  retries: number;
  waitedMs: number;
}

/** A client bound to an endpoint (`http://127.0.0.1:<port>/1.0`). */
export interface OvhReplayClient {
  call(method: string, path: string, body?: unknown): Promise<Answer>;
  readonly stats: ClientStats;
  /** Closes kept-alive connections. */
  close(): void;
}

/** Whether an answer is a transient fault worth retrying. */
export function isTransient(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}

/** How long to wait before retry number `retry` (0-based): Retry-After when given, else backoff; bounded. */
export function retryDelayMs(retry: number, retryAfter: string | null, policy: RetryPolicy = {}): number {
  const max = policy.maxDelayMs ?? 5000;
  const seconds = retryAfter === null ? NaN : Number(retryAfter);
  const wanted =
    Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : (policy.baseDelayMs ?? 50) * 2 ** retry;
  return Math.min(wanted, max);
}

function firstHeader(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** Creates a retrying signed client. */
export function replayClient(
  endpoint: string,
  creds: Credentials,
  policy: RetryPolicy = {},
): OvhReplayClient {
  const stats: ClientStats = { requests: 0, retries: 0, waitedMs: 0 };
  const agent = new http.Agent({ keepAlive: true });
  const send = async (method: string, path: string, text: string): Promise<Answer> => {
    const url = path.startsWith("/v2/") ? endpoint.replace(/\/1\.0$/, "") + path : endpoint + path;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers: Record<string, string> = {
      "X-Ovh-Application": creds.applicationKey,
      "X-Ovh-Consumer": creds.consumerKey,
      "X-Ovh-Timestamp": timestamp,
      "X-Ovh-Signature": ovhSignature({
        applicationSecret: creds.applicationSecret,
        consumerKey: creds.consumerKey,
        method,
        url,
        body: text,
        timestamp,
      }),
      Accept: "application/json",
      ...(text ? { "Content-Type": "application/json;charset=utf-8" } : {}),
    };
    stats.requests++;
    // node:http sends the path verbatim: fetch would drop a bare trailing "?", which the provider sends and signs.
    const target = new URL(url);
    const raw = await new Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }>(
      (resolve, reject) => {
        const req = http.request(
          {
            host: target.hostname,
            port: target.port,
            method,
            path: url.slice(target.origin.length),
            headers,
            agent,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                text: Buffer.concat(chunks).toString("utf8"),
                headers: res.headers,
              }),
            );
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end(text);
      },
    );
    return {
      status: raw.status,
      body: raw.text ? (JSON.parse(raw.text) as unknown) : undefined,
      headers: raw.headers,
    };
  };
  return {
    stats,
    close: () => agent.destroy(),
    async call(method, path, body) {
      const text = body === undefined ? "" : JSON.stringify(body);
      const attempts = policy.maxAttempts ?? 8;
      for (let attempt = 1; ; attempt++) {
        const answer = await send(method, path, text);
        if (!isTransient(answer.status) || attempt >= attempts) return answer;
        const wait = retryDelayMs(attempt - 1, firstHeader(answer.headers["retry-after"]), policy);
        stats.retries++;
        stats.waitedMs += wait;
        await new Promise((r) => setTimeout(r, wait));
      }
    },
  };
}
