export type {
  Account,
  AccountCosts,
  AccountCostsParams,
  ChainParams,
  ChainPlan,
  ChainStep,
  ExtendVideoParams,
  Extensions,
  ImageToVideo,
  ImageToVideoModel,
  ImageToVideoParams,
  KlingClientOptions,
  KlingErrorCode,
  KlingFamily,
  KlingFamilyCaps,
  KlingLimits,
  KlingLogFields,
  KlingLogger,
  KlingLogLevel,
  KlingModelCaps,
  KlingPrice,
  KlingRule,
  ListParams,
  OmniElement,
  OmniImage,
  OmniVideo,
  OmniVideoModel,
  OmniVideoParams,
  OmniVideoRef,
  PagePromise,
  RequestOptions,
  ResourcePack,
  Shot,
  Task,
  TaskStatus,
  TextToVideo,
  TextToVideoModel,
  TextToVideoParams,
  Video,
  WaitOptions,
} from "./kling_edge.js";
export {
  chainStep,
  checkParams,
  errorAdvice,
  isValidId,
  KlingClient,
  KlingError,
  limits,
  parseCallback,
  planChain,
  pollIntervalMs,
  price,
  signToken,
  statusRank,
  verifyCallback,
} from "./kling_edge.js";

/**
 * Loads the WebAssembly module. Required once in browsers before anything else (until then every
 * export throws `ERR_KLING_NOT_INITIALIZED`); a no-op in Node, Deno, Bun and Cloudflare Workers,
 * where the module loads at import.
 */
export function init(input?: string | URL | Request | Response | BufferSource | WebAssembly.Module): Promise<void>;

/** Loads the WebAssembly module synchronously from bytes or a compiled module (already done outside browsers). */
export function initSync(module: BufferSource | WebAssembly.Module): void;
