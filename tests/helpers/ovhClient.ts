/** A minimal signed OVH API client for tests (the same signing as go-ovh, via the emulator's signer). */
import { ovhSignature, type Credentials } from "../../emulator/signature";

/** A response. */
export interface OvhResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/** Returns a function making signed calls to `endpoint` (`http://127.0.0.1:<port>/1.0`). */
export function ovhClient(endpoint: string, creds: Credentials, skewSeconds = 0) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    override: Partial<Record<string, string>> = {},
  ): Promise<OvhResponse> => {
    const url = path.startsWith("/v2/") ? endpoint.replace(/\/1\.0$/, "") + path : endpoint + path;
    const text = body === undefined ? "" : JSON.stringify(body);
    const timestamp = String(Math.floor(Date.now() / 1000) + skewSeconds);
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
      ...override,
    };
    const res = await fetch(url, { method, headers, ...(text ? { body: text } : {}) });
    const raw = await res.text();
    return { status: res.status, body: raw ? JSON.parse(raw) : undefined, headers: res.headers };
  };
}
