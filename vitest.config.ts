import { configDefaults, defineConfig } from "vitest/config";

/** `npm run test:unit` runs the unit project, `npm run test:e2e` the e2e one (the app against the simulator). */
export default defineConfig({
  test: {
    testTimeout: 20_000,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/e2e/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts", "packages/*/test/**/*.test.ts"],
        },
      },
    ],
  },
});
