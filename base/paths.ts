/** Locations inside the project, the same whether the code runs from sources (ts) or from dist/ (js). */
import * as fs from "fs";
import * as path from "path";

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")) && fs.existsSync(path.join(dir, "package.json")))
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir)
      throw new Error(`internal error: cannot find the Majordome project root above ${start}`);
    dir = parent;
  }
}

/** The project root (the folder with package.json and Pulumi.yaml). */
export const PROJECT_ROOT = findProjectRoot(__dirname);
/** The project's blueprints folder. */
export const BLUEPRINTS_DIR = path.join(PROJECT_ROOT, "blueprints");
