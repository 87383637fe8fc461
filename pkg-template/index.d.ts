export * from "./kling_edge.js";

/**
 * Loads the WebAssembly module. Required once in browsers before anything else; a no-op in Node,
 * Deno, Bun and Cloudflare Workers, where the module loads at import.
 */
export function init(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;
