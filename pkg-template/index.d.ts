// The public names of exports.json, written here by build-pkg (scripts/entries.mjs).
// @exports declare

/**
 * Loads the WebAssembly module. Required once in browsers before anything else (until then every
 * export throws `ERR_KLING_NOT_INITIALIZED`); a no-op in Node, Deno, Bun and Cloudflare Workers,
 * where the module loads at import.
 */
export function init(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;

/** Loads the WebAssembly module synchronously from bytes or a compiled module (already done outside browsers). */
export function initSync(module: BufferSource | WebAssembly.Module): void;
