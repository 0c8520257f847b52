/** Shared test helpers for blueprint fixtures. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BlueprintLoader } from "../../blueprints/lib/loader";
import { BlueprintRepository } from "../../blueprints/lib/repository";

/** The fixture blueprints repository (tests/fixtures/repo). */
export const FIXTURE_REPO = path.resolve(__dirname, "..", "fixtures", "repo");

/** A loader over the fixture repository. */
export function fixtureLoader(): BlueprintLoader {
  return new BlueprintLoader({ repository: new BlueprintRepository(FIXTURE_REPO) });
}

/** Copies the fixture repository into a fresh temporary folder and returns a loader over the copy. */
export function tempRepo(): {
  root: string;
  loader: () => BlueprintLoader;
  write: (rel: string, text: string) => string;
} {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "majordome-bp-"));
  fs.cpSync(FIXTURE_REPO, root, { recursive: true });
  return {
    root,
    loader: () => new BlueprintLoader({ repository: new BlueprintRepository(root) }),
    write: (rel, text) => {
      const file = path.join(root, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      return file;
    },
  };
}
