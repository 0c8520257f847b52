/**
 * Where blueprints live on disk, and how selectors (`acme/production`, `acme`, a file path) name them.
 * Layout: `<root>/clients/<client>/client.yaml` (profile), `<root>/clients/<client>/<env>.yaml`
 * (environments), `<root>/templates/<name>.yaml` (templates).
 */
import * as fs from "fs";
import * as path from "path";
import { BLUEPRINTS_DIR } from "../../base/paths";

/** The project's own blueprints folder. */
export const DEFAULT_BLUEPRINTS_ROOT = BLUEPRINTS_DIR;

/** The file name of a client profile inside its folder. */
export const CLIENT_FILE = "client.yaml";

/** An environment's identity and file. */
export interface EnvironmentRef {
  readonly client: string;
  readonly environment: string;
  readonly file: string;
}

/** Paths and discovery over one blueprints root. */
export class BlueprintRepository {
  constructor(readonly root: string = DEFAULT_BLUEPRINTS_ROOT) {}

  /** Folder of client folders. */
  get clientsDir(): string {
    return path.join(this.root, "clients");
  }

  /** Folder of templates. */
  get templatesDir(): string {
    return path.join(this.root, "templates");
  }

  /** The client profile file of `client`. */
  clientFile(client: string): string {
    return path.join(this.clientsDir, client, CLIENT_FILE);
  }

  /** The blueprint file of `client/environment`. */
  environmentFile(client: string, environment: string): string {
    return path.join(this.clientsDir, client, `${environment}.yaml`);
  }

  /** Every client id (folder names), sorted. */
  clients(): string[] {
    if (!fs.existsSync(this.clientsDir)) return [];
    return fs
      .readdirSync(this.clientsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  }

  /** Every environment of every client (or of one client), sorted by client then name. */
  environments(client?: string): EnvironmentRef[] {
    return (client ? [client] : this.clients()).flatMap((c) => {
      const dir = path.join(this.clientsDir, c);
      if (!fs.existsSync(dir)) return [];
      return fs
        .readdirSync(dir)
        .filter((f) => /\.ya?ml$/.test(f) && f !== CLIENT_FILE)
        .sort()
        .map((f) => ({ client: c, environment: f.replace(/\.ya?ml$/, ""), file: path.join(dir, f) }));
    });
  }

  /** Every template file, sorted. */
  templates(): string[] {
    if (!fs.existsSync(this.templatesDir)) return [];
    return fs
      .readdirSync(this.templatesDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => path.join(this.templatesDir, f));
  }

  /** Every blueprint file: client profiles, environments and templates. */
  allFiles(): string[] {
    return [
      ...this.clients()
        .map((c) => this.clientFile(c))
        .filter((f) => fs.existsSync(f)),
      ...this.environments().map((e) => e.file),
      ...this.templates(),
    ];
  }

  /**
   * Resolves an `extends` reference made from `fromFile`: a `.yaml` path relative to that file,
   * `templates/<name>`, or `<client>/<env>`.
   */
  resolveExtends(reference: string, fromFile: string): string {
    if (/\.ya?ml$/.test(reference)) return path.resolve(path.dirname(fromFile), reference);
    const template = /^templates\/([a-z0-9-]+)$/.exec(reference);
    if (template) return path.join(this.templatesDir, `${template[1]}.yaml`);
    const env = /^([a-z0-9-]+)\/([a-z0-9-]+)$/.exec(reference);
    if (env) return this.environmentFile(env[1], env[2]);
    return path.resolve(path.dirname(fromFile), reference);
  }

  /** The client and environment a file's location implies, when it sits in the standard layout. */
  locate(file: string): { client: string; environment?: string } | undefined {
    const rel = path.relative(this.clientsDir, path.resolve(file));
    const parts = rel.split(path.sep);
    if (rel.startsWith("..") || parts.length !== 2) return undefined;
    const base = parts[1].replace(/\.ya?ml$/, "");
    return parts[1] === CLIENT_FILE ? { client: parts[0] } : { client: parts[0], environment: base };
  }
}

/** Shows a path relative to the working directory when it is inside it (how editors and CI want it). */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, file);
  return rel.startsWith("..") || path.isAbsolute(rel) ? file : rel;
}
