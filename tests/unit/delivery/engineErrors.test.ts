/** Classifying engine failures: the provider's real error texts, SSH causes, locks, and clean messages. */
import {
  classifyEngineFailure,
  cleanEngineMessage,
  DEFAULT_RETRY,
  lockHolders,
  nextDelay,
  REMOTE_CAUSE_LINES,
  remoteCauses,
} from "../../../scripts/delivery/engineErrors";

/** How the engine reports a provider error (go-ovh's APIError inside the provider's diagnostic). */
const ovh = (code: number, cls: string, message: string) =>
  `error: update failed\n  ovh:CloudProject:Database (shopwave-production-shop):\n    error: 1 error occurred:\n\t* calling Post /cloud/project/abc/database/postgresql:\n\t OVHcloud API error (status code ${code}): ${cls}: "${message}" (X-OVH-Query-Id: EU.ext-3.6697.38.fcc)`;

describe("classifyEngineFailure", () => {
  it.each([
    [500, "Server::InternalServerError", "Internal server error", "transient"],
    [502, "Server::BadGateway", "Bad gateway", "transient"],
    [503, "Server::ServiceUnavailable", "Service temporarily unavailable", "transient"],
    [429, "Client::TooManyRequests", "Too many requests", "transient"],
    [400, "Client::BadRequest", "[InvalidDataError] 400: Node pool name my_pool is invalid", "permanent"],
    [403, "Client::Forbidden", "This call has not been granted", "permanent"],
    [404, "Client::NotFound", "Got an invalid (or empty) URL", "permanent"],
    [409, "Client::Conflict", "A database with this name already exists", "permanent"],
  ])("OVH %i is %s", (code, cls, message, kind) => {
    const c = classifyEngineFailure(ovh(code, cls, message));
    expect(c.kind).toBe(kind);
    expect(c.line).toContain(`status code ${code}`);
  });

  it("reads Retry-After from a 429", () => {
    const c = classifyEngineFailure(`${ovh(429, "Client::TooManyRequests", "slow down")}\nRetry-After: 7`);
    expect(c).toMatchObject({ kind: "transient", retryAfterMs: 7000 });
  });

  it("a data source failing with 500, wrapped in an unhandled exception dump, is transient and cleanly worded", () => {
    const raw =
      "Running program '/srv/majordome' failed with an unhandled exception:\n" +
      "\u001b[31m<ref *1> Error: invocation of ovh:CloudProject/getImages:getImages returned an error: " +
      'calling Get /cloud/project/abc/image: OVHcloud API error (status code 500): Server::InternalServerError: "boom"\u001b[0m\n' +
      "    at Object.callback (/srv/node_modules/@pulumi/pulumi/runtime/invoke.js:235:33)\n" +
      "  promise: Promise { <rejected> [Circular *1] }\n" +
      "}";
    const c = classifyEngineFailure(raw);
    expect(c.kind).toBe("transient");
    const clean = cleanEngineMessage(raw);
    for (const noise of ["\u001b", "<ref", "promise:", "at Object"]) expect(clean).not.toContain(noise);
    expect(clean).toContain("getImages returned an error");
  });

  it.each([
    ['host "origin" (127.0.0.1:2222): connection refused (is sshd running and the port right?)', "transient"],
    ["read ECONNRESET", "transient"],
    ['host "origin" (127.0.0.1:2222): timed out while connecting', "transient"],
    ['host "origin" (127.0.0.1:2222): authentication failed for user "root" (wrong key?)', "permanent"],
    ["Cannot parse privateKey: Unsupported key format", "permanent"],
    ['step "config" failed on origin (exit 1): mkdir: cannot create directory', "permanent"],
  ])("%s → %s", (message, kind) => expect(classifyEngineFailure(message).kind).toBe(kind));

  it("permanent evidence wins over transient evidence", () => {
    expect(classifyEngineFailure(`${ovh(403, "Client::Forbidden", "no")}\nread ECONNRESET`).kind).toBe(
      "permanent",
    );
  });

  it("a lock held by another delivery is its own kind, with its holders", () => {
    const message =
      "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
      "  s3://state/.pulumi/locks/organization/majordome/acme-lab/1b2.json: created by ops@runner-7 (pid 4242) at 2026-11-30T21:00:00Z";
    expect(classifyEngineFailure(message).kind).toBe("locked");
    expect(lockHolders(message)).toEqual([
      { holder: "ops@runner-7 (pid 4242)", host: "runner-7", pid: 4242 },
    ]);
  });
});

describe("nextDelay", () => {
  const transient = classifyEngineFailure("read ECONNRESET");
  it("backs off, bounded by attempts and by the window", () => {
    expect(nextDelay(DEFAULT_RETRY, 2, 0, transient)).toBe(5000);
    expect(nextDelay(DEFAULT_RETRY, 3, 0, transient)).toBe(10000);
    expect(nextDelay(DEFAULT_RETRY, 4, 0, transient)).toBeUndefined();
    expect(nextDelay(DEFAULT_RETRY, 2, 599_000, transient)).toBeUndefined();
  });
  it("never retries a permanent failure, and honours a longer Retry-After", () => {
    expect(nextDelay(DEFAULT_RETRY, 2, 0, classifyEngineFailure("authentication failed"))).toBeUndefined();
    const slow = { ...transient, retryAfterMs: 30_000 };
    expect(nextDelay(DEFAULT_RETRY, 2, 0, slow)).toBe(30_000);
  });
});

describe("remoteCauses", () => {
  it("keeps the last lines of a failed step's stderr, up to the next engine line", () => {
    const stderr = Array.from({ length: 15 }, (_, i) => `stderr line ${i + 1}`);
    const message = [
      "Updating (acme-x):",
      "  majordome:host:Step (acme-x-hosts-origin-broken):",
      '    error: host "origin" (root@127.0.0.1:2222): step "broken" failed with exit code 7:',
      ...stderr.map((l) => `    ${l}`),
      "",
      "  pulumi:pulumi:Stack (majordome-acme-x):",
      "    error: update failed",
    ].join("\n");
    expect(remoteCauses(message)).toEqual(new Map([[2, stderr.slice(-REMOTE_CAUSE_LINES)]]));
  });

  it("stops at a resource header or an error line even without a blank line", () => {
    const message = [
      'error: step "a" failed with exit code 1:',
      "no such schema",
      "pulumi:pulumi:Stack (majordome-acme-x):",
      "error: update failed",
    ].join("\n");
    expect(remoteCauses(message)).toEqual(new Map([[0, ["no such schema"]]]));
    expect(remoteCauses("error: update failed")).toEqual(new Map());
  });
});
