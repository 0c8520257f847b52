/** The blueprint loader over the root the global `--blueprints` option chose (the project's by default). */
import * as path from "path";
import { BlueprintLoader } from "../../blueprints/lib/loader";
import { BlueprintRepository } from "../../blueprints/lib/repository";

/** A loader over `root`, or over the project's blueprints when none is given. */
export function loaderFor(root: string | undefined): BlueprintLoader {
  return new BlueprintLoader(root ? { repository: new BlueprintRepository(path.resolve(root)) } : {});
}
