/**
 * Import rules checked by `npm run lint`. Type-only imports count: a cycle of types is still two
 * modules that cannot be understood, moved or tested one without the other.
 * @type {import('dependency-cruiser').IConfiguration}
 */

const CYCLE =
  "Each module imports only modules that do not import it back, directly or through others.";

export default {
  forbidden: [
    {
      name: "no-cycle",
      severity: "error",
      comment: CYCLE,
      from: {},
      to: { circular: true },
    },
    {
      name: "decisions-know-no-adapter",
      severity: "error",
      comment:
        "The pure layers (config/, iac/, promotion/) are tested with plain values: they import no GitHub adapter, not even its types.",
      from: { path: "^src/(config|iac|promotion)/" },
      to: { path: "^src/github/" },
    },
    {
      name: "queue-below-engine",
      severity: "error",
      comment: "The queue runs the engine's jobs through callbacks; it does not know the engine.",
      from: { path: "^src/queue/" },
      to: { path: "^src/engine/" },
    },
    {
      name: "layers-below-engine",
      severity: "error",
      comment:
        "Adapters (github/) and pure decisions (config/, iac/, promotion/, versions/) do not know who calls them.",
      from: { path: "^src/(github|config|iac|promotion|versions)/" },
      to: { path: "^src/(engine|queue|handlers|cli)/|^src/(index|server|cli)\\.ts$" },
    },
    {
      name: "resolvable",
      severity: "error",
      comment: "An import the cruiser cannot resolve would hide its cycles.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "types", "node", "default"],
    },
  },
};
