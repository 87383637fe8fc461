// Defaults on purpose (what `npm create vite` gives): only quiet logs and no copied public dir.
export default {
  logLevel: "warn",
  build: { outDir: "dist", emptyOutDir: true },
};
