/**
 * `majordome new <client>/<env> --from <template-or-env>`: writes a new environment's blueprint that extends
 * a template or another environment, and checks it. Nothing is written if the result would be invalid.
 */
import * as fs from "fs";
import * as path from "path";
import { BlueprintError } from "../../blueprints/lib/issues";
import type { BlueprintLoader } from "../../blueprints/lib/loader";
import { UserError } from "../../base/errors";
import { didYouMean } from "../../blueprints/lib/hints";

/** Options of `new`. */
export interface NewOptions {
  readonly selector: string;
  /** `templates/<name>` or `<client>/<env>`. */
  readonly from: string;
  readonly tier?: "production" | "staging" | "development";
  readonly owner?: string;
}

/** Writes the blueprint; returns its path. */
export function newEnvironment(loader: BlueprintLoader, options: NewOptions): string {
  const m = /^([a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)$/.exec(options.selector);
  if (!m) throw new UserError(`"${options.selector}" is not <client>/<environment>`);
  const [, client, environment] = m;
  for (const [flag, value] of [
    ["--owner", options.owner],
    ["--from", options.from],
  ] as const)
    // A value is written into YAML as is: a newline or control character would write fields of its own.
    // eslint-disable-next-line no-control-regex
    if (value !== undefined && /[\u0000-\u001f\u007f]/.test(value))
      throw new UserError(`${flag} may not contain control characters or line breaks`);
  if (
    options.owner !== undefined &&
    !/^[^@\s:#'"{}[\],&*!|>%@`]+@[^@\s:#'"{}[\],&*!|>%@`]+$/.test(options.owner)
  )
    throw new UserError(`--owner "${options.owner}" is not an email address`);
  const repo = loader.repository;
  if (!repo.clients().includes(client))
    throw new UserError(
      `no client "${client}"`,
      didYouMean(client, repo.clients()) ?? `create blueprints/clients/${client}/client.yaml first`,
    );
  const file = repo.environmentFile(client, environment);
  if (fs.existsSync(file))
    throw new UserError(`${options.selector} already exists (${path.relative(process.cwd(), file)})`);
  const source = repo.resolveExtends(options.from, file);
  if (!fs.existsSync(source)) {
    const known = [
      ...repo.templates().map((t) => `templates/${path.basename(t, ".yaml")}`),
      ...repo.environments().map((e) => `${e.client}/${e.environment}`),
    ];
    throw new UserError(
      `--from "${options.from}" names no template or environment`,
      didYouMean(options.from, known) ?? `choose one of: ${known.join(", ")}`,
    );
  }
  const lines = [
    "# yaml-language-server: $schema=../../schema/majordome.v1.schema.json",
    `# Created by \`majordome new ${options.selector} --from ${options.from}\`; edit what differs from ${options.from}.`,
    "apiVersion: majordome/v1",
    "kind: Environment",
    `extends: [${options.from}]`,
    "metadata:",
    `  client: ${client}`,
    `  environment: ${environment}`,
    ...(options.tier ? [`  tier: ${options.tier}`] : []),
    ...(options.owner ? [`  owner: ${options.owner}`] : []),
    "",
  ];
  fs.writeFileSync(file, lines.join("\n"));
  try {
    loader.loadEnvironmentFile(file);
  } catch (e) {
    fs.rmSync(file, { force: true });
    if (e instanceof BlueprintError)
      throw new UserError(
        `the new environment would be invalid, so nothing was written:\n${e.message}`,
        "a template usually needs `target` or other sections that the environment must add; copy an existing environment with --from <client>/<env> instead",
      );
    throw e;
  }
  return file;
}
