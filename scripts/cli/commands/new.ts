/** `majordome new <client>/<env> --from <source>`: a new environment's blueprint, ready to deliver. */
import * as path from "path";
import type { Io } from "../../../base/io";
import type { BlueprintLoader } from "../../../blueprints/lib/loader";
import { newEnvironment, type NewOptions } from "../../delivery/newEnvironment";

/** Creates the blueprint, says how to deliver it, prints its path; returns the exit code. */
export function newCommand(loader: BlueprintLoader, options: NewOptions, io: Io): number {
  const file = newEnvironment(loader, options);
  io.err(
    `created ${path.relative(process.cwd(), file)}; deliver it with: majordome deliver ${options.selector}`,
  );
  io.out(file);
  return 0;
}
