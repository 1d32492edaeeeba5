// Vite's import.meta.glob (used to load recorded fixtures), for the type checker.
interface ImportMeta {
  glob<T = unknown>(pattern: string, options: { eager: true; import: "default" }): Record<string, T>;
}
