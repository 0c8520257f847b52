/** Turns command-line selectors (`acme/production`, `acme`, a file path) into blueprint files. */
import * as fs from "fs";
import * as path from "path";
import { didYouMean } from "../../blueprints/lib/hints";
import { environmentRef } from "../../blueprints/lib/environmentRef";
import type { BlueprintRepository } from "../../blueprints/lib/repository";
import { UserError } from "../../base/errors";

/** Resolves selectors to blueprint files for `validate`; no selector means every blueprint. */
export function selectFiles(repo: BlueprintRepository, selectors: readonly string[]): string[] {
  if (selectors.length === 0) return repo.allFiles();
  const files: string[] = [];
  for (const selector of selectors) {
    if (/\.ya?ml$/.test(selector) || fs.existsSync(selector)) {
      files.push(path.resolve(selector));
      continue;
    }
    const env = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(selector);
    if (env) {
      files.push(environmentRef(repo, selector).file);
      continue;
    }
    if (repo.clients().includes(selector)) {
      files.push(repo.clientFile(selector), ...repo.environments(selector).map((e) => e.file));
      continue;
    }
    throw new UserError(
      `no blueprint matches "${selector}"`,
      didYouMean(selector, [
        ...repo.clients(),
        ...repo.environments().map((e) => `${e.client}/${e.environment}`),
      ]) ?? "use <client>/<environment>, <client>, or a file path",
    );
  }
  return [...new Set(files)];
}
