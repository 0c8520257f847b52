// The only file the Pulumi engine runs (package.json "main", compiled to dist/stacks/index.js).
import { buildStack } from "./program";

const outputs = buildStack();
export const inventory = outputs.inventory;
export const secrets = outputs.secrets;
