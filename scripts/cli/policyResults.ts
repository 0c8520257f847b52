/**
 * Client policy results for output: `validate --json` lists them per environment file, and the Markdown
 * summary of `preview`/`deliver` shows them per environment, so a pull request says which rules held.
 */
import type { BlueprintLoader } from "../../blueprints/lib/loader";
import { evaluateBlueprintPolicies, type PolicyResult } from "../../blueprints/lib/policies";

/** One rule's result on one environment, as printed. */
export interface RuleResult {
  readonly rule: string;
  readonly status: PolicyResult["status"];
  /** Each resource that breaks the rule or is excepted from it, with why. */
  readonly resources: readonly {
    readonly resource: string;
    readonly status: "violated" | "excepted";
    readonly message: string;
    readonly exception?: { readonly reason: string; readonly expires: string; readonly expired: boolean };
  }[];
}

/**
 * The client policy results of an environment file (blueprint stage), or undefined when the file is not an
 * environment that can be read far enough to judge (its own errors say why).
 */
export function environmentPolicyResults(loader: BlueprintLoader, file: string): RuleResult[] | undefined {
  const effective = loader.effectiveEnvironment(file);
  if (!effective) return undefined;
  return evaluateBlueprintPolicies(effective.blueprint, effective.client, loader.catalog, loader.now()).map(
    (r) => ({
      rule: r.rule,
      status: r.status,
      resources: r.verdicts.map((v) => ({
        resource: v.resource,
        status: v.status,
        message: v.message,
        ...(v.exception
          ? {
              exception: {
                reason: v.exception.reason,
                expires: v.exception.expires,
                expired: v.expired === true,
              },
            }
          : {}),
      })),
    }),
  );
}

/** A Markdown section listing each environment's client policy results (empty when no client has any). */
export function policyMarkdown(loader: BlueprintLoader, selectors: readonly string[]): string {
  const rows = selectors.flatMap((selector) => {
    const [client, environment] = selector.split("/");
    const results = environmentPolicyResults(loader, loader.repository.environmentFile(client, environment));
    return (results ?? []).map((r) => {
      const detail = r.resources
        .map((x) =>
          x.exception && x.status === "excepted"
            ? `${x.resource} excepted until ${x.exception.expires}`
            : `${x.resource}: ${x.message}${x.exception?.expired ? ` (exception expired ${x.exception.expires})` : ""}`,
        )
        .join("; ");
      const mark =
        r.status === "passed" ? "✅ passed" : r.status === "excepted" ? "⚠ excepted" : "❌ violated";
      return `| \`${selector}\` | ${r.rule} | ${mark} | ${detail.replace(/\|/g, "\\|")} |`;
    });
  });
  if (!rows.length) return "";
  return [
    "",
    "**Client policies**",
    "",
    "| environment | rule | result | details |",
    "| --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
