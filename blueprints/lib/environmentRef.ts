/** Resolves a `<client>/<environment>` selector to its blueprint file, with a did-you-mean when it names nothing. */
import { UserError } from "../../base/errors";
import { didYouMean } from "./hints";
import type { BlueprintRepository, EnvironmentRef } from "./repository";

/** Resolves one `client/environment` selector, with a did-you-mean when it names nothing. */
export function environmentRef(repo: BlueprintRepository, selector: string): EnvironmentRef {
  const m = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(selector);
  if (!m)
    throw new UserError(
      `"${selector}" is not an environment selector`,
      "use <client>/<environment>, e.g. shopwave/production",
    );
  const all = repo.environments();
  const found = all.find((e) => e.client === m[1] && e.environment === m[2]);
  if (!found) {
    throw new UserError(
      `no environment "${selector}"`,
      didYouMean(
        selector,
        all.map((e) => `${e.client}/${e.environment}`),
      ) ?? `environments live in ${repo.clientsDir}/<client>/<environment>.yaml`,
    );
  }
  return found;
}
