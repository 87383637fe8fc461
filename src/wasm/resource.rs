//! The resources of a client — `kling.extensions`, `kling.textToVideo`, `kling.imageToVideo`,
//! `kling.omniVideo` — from one implementation: each is the same five operations on its task
//! family; `kling.chains`; and `kling.account`.

use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use crate::api::Family;
use crate::wasm::host;
use crate::wasm::inner::Inner;
use crate::wasm::iter::family_index;
use crate::wasm::ops::{self, Op};

/// One family's five operations, shared by the resources.
pub(crate) struct Tasks {
    inner: Rc<Inner>,
    family: Family,
    /// The client's one `Lister`, as a JS object.
    lister: JsValue,
}

impl Tasks {
    fn create(&self, params: JsValue, opts: Option<JsValue>) -> Promise {
        self.run(Op::Create(self.family, params, opts))
    }

    fn get(&self, id: JsValue, opts: Option<JsValue>) -> Promise {
        self.run(Op::Get(self.family, id, opts))
    }

    fn list(&self, params: Option<JsValue>, opts: Option<JsValue>) -> JsValue {
        let index = family_index(self.family);
        host::page_promise(&self.lister, index, params, opts)
    }

    fn wait(&self, task_id: JsValue, opts: Option<JsValue>) -> Promise {
        self.run(Op::Wait(self.family, task_id, opts))
    }

    fn create_and_wait(&self, params: JsValue, opts: Option<JsValue>) -> Promise {
        self.run(Op::CreateAndWait(self.family, params, opts))
    }

    fn run(&self, op: Op) -> Promise {
        ops::start(self.inner.clone(), op)
    }
}

macro_rules! resource {
    ($name:ident, $family:expr, $params:literal, $doc:literal) => {
        #[doc = $doc]
        #[wasm_bindgen]
        pub struct $name {
            tasks: Tasks,
        }

        impl $name {
            pub(crate) fn new(inner: Rc<Inner>, lister: JsValue) -> $name {
                $name {
                    tasks: Tasks {
                        inner,
                        family: $family,
                        lister,
                    },
                }
            }
        }

        #[wasm_bindgen]
        impl $name {
            /// Creates a task and resolves Kling's create answer.
            /// Every documented rule is checked first (`ERR_KLING_INVALID_REQUEST`, nothing sent).
            /// The request always carries an `external_task_id` (generated when absent), an
            /// idempotency key: the same id with the same request resolves with the task that
            /// holds it and creates nothing; with another request it is refused
            /// (`ERR_KLING_BAD_REQUEST`, `field: "external_task_id"`). A create that failed
            /// ambiguously is looked up before anything is sent again; one that could not be
            /// settled rejects with `taskMayExist: true`: call again with its `externalTaskId`.
            #[wasm_bindgen(unchecked_return_type = "Promise<Task>")]
            pub fn create(
                &self,
                #[wasm_bindgen(unchecked_param_type = $params)] params: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<
                    JsValue,
                >,
            ) -> Promise {
                self.tasks.create(params, opts)
            }

            /// Gets one task by its task id or its external task id.
            #[wasm_bindgen(unchecked_return_type = "Promise<Task>")]
            pub fn get(
                &self,
                #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<
                    JsValue,
                >,
            ) -> Promise {
                self.tasks.get(id, opts)
            }

            /// Resolves one page of tasks, newest first (`pageNum` 1–1000, `pageSize` 1–500,
            /// default 30; a page shorter than `pageSize` is the last). Also `for await`-able
            /// over every task from that page on, page after page.
            #[wasm_bindgen(unchecked_return_type = "PagePromise")]
            pub fn list(
                &self,
                #[wasm_bindgen(unchecked_optional_param_type = "ListParams")] params: Option<
                    JsValue,
                >,
                #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<
                    JsValue,
                >,
            ) -> JsValue {
                self.tasks.list(params, opts)
            }

            /// Polls a task until it succeeds (resolves the task) or fails (rejects with
            /// `ERR_KLING_TASK_FAILED`). Rejects with `ERR_KLING_WAIT_TIMEOUT` at the deadline
            /// (default 30 minutes) and `ERR_KLING_ABORTED` when `signal` fires; the task itself
            /// keeps running. Without `pollIntervalMs`, polls adaptively: every 5 s for the first
            /// 40 s, then longer, up to 15 s.
            #[wasm_bindgen(unchecked_return_type = "Promise<Task>")]
            pub fn wait(
                &self,
                #[wasm_bindgen(js_name = "taskId", unchecked_param_type = "string")]
                task_id: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] opts: Option<
                    JsValue,
                >,
            ) -> Promise {
                self.tasks.wait(task_id, opts)
            }

            /// Creates a task and waits for it (queued first under `maxConcurrentTasks`).
            #[wasm_bindgen(js_name = createAndWait, unchecked_return_type = "Promise<Task>")]
            pub fn create_and_wait(
                &self,
                #[wasm_bindgen(unchecked_param_type = $params)] params: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] opts: Option<
                    JsValue,
                >,
            ) -> Promise {
                self.tasks.create_and_wait(params, opts)
            }
        }
    };
}

resource!(
    Extensions,
    Family::VideoExtend,
    "ExtendVideoParams",
    "`kling.extensions` (`/v1/videos/video-extend`): extensions of kling-v1, kling-v1-5 and kling-v1-6 videos (retired models: none made since 2026-09-15), 4–5 s each."
);
resource!(
    TextToVideo,
    Family::TextToVideo,
    "TextToVideoParams",
    "`kling.textToVideo` (`/v1/videos/text2video`): videos from a prompt (kling-v3 today; `limits().families.text2video` lists each model's rules)."
);
resource!(
    ImageToVideo,
    Family::ImageToVideo,
    "ImageToVideoParams",
    "`kling.imageToVideo` (`/v1/videos/image2video`): videos from a first (and last) frame (kling-v3 today; `limits().families.image2video` lists each model's rules)."
);
resource!(
    OmniVideo,
    Family::OmniVideo,
    "OmniVideoParams",
    "`kling.omniVideo` (`/v1/videos/omni-video`): kling-v3-omni and kling-video-o1 — videos from text, reference images, first and last frames, a reference or base video and elements, in one or several shots, with sound."
);

#[wasm_bindgen]
impl Extensions {
    /// Extends a video again and again — each step from the previous result's video id — and
    /// resolves every step's finished task: `kling.chains.run` with `method: "extend"` by
    /// default. `prompts` holds one string (or extension-params object) per step; give
    /// `video_duration` (the source's seconds) to have a chain that could pass 180 s refused
    /// before anything is sent. Step n is created under `<external_task_id>-<n>` (the prefix is
    /// generated when absent); running it again with the same prefix resumes the chain, reusing
    /// every step that exists. On failure the error's `completed` holds the steps already
    /// finished and `externalTaskId` the prefix to run it again with.
    #[wasm_bindgen(unchecked_return_type = "Promise<Task[]>")]
    pub fn chain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ChainParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] opts: Option<JsValue>,
    ) -> Promise {
        self.tasks.run(Op::Chain {
            params,
            opts,
            legacy: true,
        })
    }
}

/// `kling.chains`: long videos — a source continued step by step by extension, the next shot or
/// the last frame, resumable under one id prefix.
#[wasm_bindgen]
pub struct Chains {
    inner: Rc<Inner>,
}

impl Chains {
    pub(crate) fn new(inner: Rc<Inner>) -> Chains {
        Chains { inner }
    }
}

#[wasm_bindgen]
impl Chains {
    /// Grows a video from a source, step by step, and resolves `{method, external_task_id,
    /// tasks, clips, duration}`: every step's finished task, and the clips of the video in order
    /// (the source and each step's clip; join them with `kling-edge/mp4`).
    ///
    /// `method`: `"next-shot"` (Omni-Video, the previous clip as its reference), `"last-frame"`
    /// (image2video or Omni-Video from the previous clip's last frame: decoded in a browser page,
    /// by the client's `lastFrame` hook elsewhere, refused without either), `"extend"`
    /// (video-extend, v1.x sources) or `"auto"` (default: extend when Kling can still extend the
    /// source, else last-frame where a frame can be decoded, else next-shot). Each entry of
    /// `prompts` is a step: its prompt, or its own `prompt`, `model_name`, `mode`, `duration`, ….
    /// Every step is checked before anything is sent, and a step that could pass `max_seconds`
    /// (default 180) is never paid for. Step n is created under `<external_task_id>-<n>`;
    /// running the chain again with the same prefix resumes it, never paying for a step twice.
    /// On failure the error's `completed` holds the steps already finished and `externalTaskId`
    /// the prefix to run it again with.
    #[wasm_bindgen(unchecked_return_type = "Promise<ChainRun>")]
    pub fn run(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ChainParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WaitOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(
            self.inner.clone(),
            Op::Chain {
                params,
                opts,
                legacy: false,
            },
        )
    }
}

/// `kling.account`: the account's resource packs (`/account/costs`).
#[wasm_bindgen]
pub struct Account {
    inner: Rc<Inner>,
}

impl Account {
    pub(crate) fn new(inner: Rc<Inner>) -> Account {
        Account { inner }
    }
}

#[wasm_bindgen]
impl Account {
    /// The account's resource packs between `start_time` and `end_time` (Unix milliseconds) —
    /// each with its type, total, what remains (Kling's count may lag up to 12 hours), its times
    /// and status — optionally only those named `resource_pack_name` (`GET /account/costs`).
    /// Resolves Kling's `data` as sent: its own `code` (0), `msg` and
    /// `resource_pack_subscribe_infos`. The parameters are checked first
    /// (`ERR_KLING_INVALID_REQUEST`, nothing sent); a non-zero inner `code` rejects as any Kling
    /// code does. Free, but Kling asks for at most one query a second.
    #[wasm_bindgen(unchecked_return_type = "Promise<AccountCosts>")]
    pub fn costs(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AccountCostsParams")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "RequestOptions")] opts: Option<JsValue>,
    ) -> Promise {
        ops::start(self.inner.clone(), Op::Costs(params, opts))
    }
}
