/** Components for servers reached over SSH. Imports @pulumi/* and pure helpers only. */
export * from "./hostGroup";
export * from "./remoteStep";
export * from "./steps";
