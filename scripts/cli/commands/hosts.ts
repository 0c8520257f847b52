/** `majordome hosts trust <client/env> <host>`: accept, deliberately, the host key a host shows now. */
import type { Io } from "../../../base/io";
import { deliveryContext } from "../../delivery/context";
import { trustHost } from "../../delivery/hostKeys";
import { environmentRef } from "../../../blueprints/lib/environmentRef";

/** Options of `majordome hosts trust`. */
export interface HostsTrustOptions {
  readonly selector: string;
  readonly host: string;
  readonly blueprints?: string;
}

/** Runs `majordome hosts trust`; returns the exit code. */
export async function hostsTrust(options: HostsTrustOptions, io: Io): Promise<number> {
  const ctx = deliveryContext(
    { blueprints: options.blueprints, isolated: process.env.MAJORDOME_ISOLATED === "1" },
    io,
  );
  const ref = environmentRef(ctx.loader.repository, options.selector);
  const result = await trustHost(ctx, `${ref.client}/${ref.environment}`, options.host, (l) => io.err(l));
  io.out(
    `host "${result.host}" of ${ref.client}/${ref.environment} is now pinned to ${result.fingerprint}` +
      (result.previous ? ` (was ${result.previous})` : ""),
  );
  return 0;
}
