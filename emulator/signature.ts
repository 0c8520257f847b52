/**
 * OVH request signing, as the go-ovh client does it: `"$1$" + sha1(AS+CK+METHOD+URL+BODY+TIMESTAMP joined by
 * "+")`, over the full URL as sent (scheme, host, path and query) and the raw body bytes.
 */
import { createHash } from "crypto";

/** Computes the signature of one request. */
export function ovhSignature(args: {
  applicationSecret: string;
  consumerKey: string;
  method: string;
  url: string;
  body: string;
  timestamp: string;
}): string {
  const text = [
    args.applicationSecret,
    args.consumerKey,
    args.method.toUpperCase(),
    args.url,
    args.body,
    args.timestamp,
  ].join("+");
  return "$1$" + createHash("sha1").update(text).digest("hex");
}

/** An application the emulator accepts. */
export interface Credentials {
  readonly applicationKey: string;
  readonly applicationSecret: string;
  readonly consumerKey: string;
}

/** Why a request's signature was refused (OVH's error codes), or undefined when it is valid. */
export function checkSignature(
  creds: Credentials,
  req: { method: string; url: string; body: string; headers: Record<string, string | string[] | undefined> },
  nowSeconds: number,
  maxSkewSeconds = 120,
): { status: number; errorCode: string; message: string } | undefined {
  const header = (name: string) => {
    const v = req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const app = header("X-Ovh-Application");
  if (!app || app !== creds.applicationKey)
    return { status: 403, errorCode: "INVALID_KEY", message: "Invalid application key" };
  const consumer = header("X-Ovh-Consumer");
  if (!consumer || consumer !== creds.consumerKey)
    return { status: 403, errorCode: "INVALID_CREDENTIAL", message: "This credential does not exist" };
  const timestamp = header("X-Ovh-Timestamp");
  if (!timestamp || !/^\d+$/.test(timestamp))
    return { status: 400, errorCode: "INVALID_SIGNATURE", message: "Invalid signature" };
  if (Math.abs(Number(timestamp) - nowSeconds) > maxSkewSeconds)
    return { status: 400, errorCode: "QUERY_TIME_OUT", message: "Query out of time" };
  const expected = ovhSignature({
    applicationSecret: creds.applicationSecret,
    consumerKey: creds.consumerKey,
    method: req.method,
    url: req.url,
    body: req.body,
    timestamp,
  });
  if (header("X-Ovh-Signature") !== expected)
    return { status: 400, errorCode: "INVALID_SIGNATURE", message: "Invalid signature" };
  return undefined;
}
