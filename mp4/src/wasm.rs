//! The JavaScript boundary of `kling-edge/mp4`: bytes in, bytes and plans out; every failure a
//! real `Error` named `KlingError` with a stable `code` (the package's entry files give it the
//! package's one `KlingError` class).

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use crate::{Error, ErrorKind};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** What `plan` needs of one clip: the file's length and its whole `moov` box. */
export interface ClipHeader {
  /** The clip file's length in bytes. */
  size: number;
  /** The clip's `moov` box, its 8- or 16-byte header included. */
  moov: Uint8Array;
}

/** Bytes `offset .. offset + length` of clip number `clip` (0-based). */
export interface JoinPiece {
  clip: number;
  offset: number;
  length: number;
}

/** The joined file: `header`, then each piece's bytes in order; `size` bytes in all. */
export interface JoinPlan {
  /** `ftyp`, `moov` (faststart: before the media) and the `mdat` box's header. */
  header: Uint8Array;
  /** The joined file's length in bytes. */
  size: number;
  /** The clips' media, one range per clip, in order. */
  pieces: JoinPiece[];
}

/** A top-level box of a file. */
export interface BoxInfo {
  /** The box type, e.g. `"moov"`. */
  type: string;
  offset: number;
  headerSize: number;
  /** The whole box's length, header included. */
  size: number;
}
"#;

fn set(obj: &Object, key: &str, value: JsValue) {
    // Setting a property on a fresh object cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value);
}

fn to_js(e: &Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("KlingError");
    set(&err, "code", JsValue::from_str(e.kind.code()));
    if let Some(clip) = e.clip {
        set(&err, "clip", JsValue::from_f64(clip as f64));
    }
    set(&err, "retryable", JsValue::FALSE);
    err.into()
}

fn invalid(message: String) -> JsValue {
    to_js(&Error {
        kind: ErrorKind::InvalidRequest,
        clip: None,
        message,
    })
}

fn bytes_of(value: &JsValue, what: &str) -> Result<Vec<u8>, JsValue> {
    value
        .dyn_ref::<Uint8Array>()
        .map(Uint8Array::to_vec)
        .ok_or_else(|| invalid(format!("{what} is not a Uint8Array")))
}

fn number(value: &JsValue, what: &str) -> Result<u64, JsValue> {
    match value.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 9_007_199_254_740_991.0 => Ok(n as u64),
        _ => Err(invalid(format!(
            "{what} is not a byte count (a whole number ≥ 0)"
        ))),
    }
}

fn list(value: &JsValue, what: &str) -> Result<Array, JsValue> {
    if Array::is_array(value) {
        Ok(Array::from(value))
    } else {
        Err(invalid(format!("{what} is not an array")))
    }
}

/// Joins MP4 clips into one MP4 without re-encoding (faststart: the `moov` first).
///
/// The clips must share their tracks and codec settings, as Kling's clips of one model, mode and
/// aspect ratio do: H.264 video (same avcC, size and timescale) and, when present, AAC audio
/// (same configuration, rate and channels). Each clip follows the one before it on the timeline.
/// Throws a `KlingError`: `ERR_KLING_MP4_INCOMPATIBLE` with `clip` (0-based) when a clip differs
/// from clip 0 (the message says how), `ERR_KLING_DECODE` when a clip is not a readable MP4.
#[wasm_bindgen(js_name = join, unchecked_return_type = "Uint8Array")]
pub fn join(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array[]")] clips: JsValue,
) -> Result<Uint8Array, JsValue> {
    let clips = list(&clips, "clips")?;
    let files: Vec<Vec<u8>> = clips
        .iter()
        .enumerate()
        .map(|(i, c)| bytes_of(&c, &format!("clip {i}")))
        .collect::<Result<_, _>>()?;
    let refs: Vec<&[u8]> = files.iter().map(Vec::as_slice).collect();
    let out = crate::join(&refs).map_err(|e| to_js(&e))?;
    Ok(Uint8Array::from(out.as_slice()))
}

/// Plans the joined file from each clip's length and `moov` box alone, for streaming: the joined
/// file is `header` followed by each piece's bytes (`clip`, `offset`, `length`) read from the
/// clips, so any byte range of it can be served from range reads of the clips. Throws like `join`.
#[wasm_bindgen(js_name = plan, unchecked_return_type = "JoinPlan")]
pub fn plan(
    #[wasm_bindgen(unchecked_param_type = "ClipHeader[]")] headers: JsValue,
) -> Result<JsValue, JsValue> {
    let headers = list(&headers, "headers")?;
    let mut owned = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let get = |key: &str| {
            Reflect::get(&h, &JsValue::from_str(key))
                .map_err(|_| invalid(format!("header {i} cannot be read")))
        };
        if !h.is_object() {
            return Err(invalid(format!(
                "header {i} is not an object {{ size, moov }}"
            )));
        }
        let size = number(&get("size")?, &format!("header {i}'s size"))?;
        let moov = bytes_of(&get("moov")?, &format!("header {i}'s moov"))?;
        owned.push((size, moov));
    }
    let clips: Vec<crate::ClipHeader<'_>> = owned
        .iter()
        .map(|(size, moov)| crate::ClipHeader { size: *size, moov })
        .collect();
    let plan = crate::plan(&clips).map_err(|e| to_js(&e))?;
    let out = Object::new();
    set(
        &out,
        "header",
        Uint8Array::from(plan.header.as_slice()).into(),
    );
    set(&out, "size", JsValue::from_f64(plan.size as f64));
    let pieces = Array::new();
    for p in &plan.pieces {
        let piece = Object::new();
        set(&piece, "clip", JsValue::from_f64(p.clip as f64));
        set(&piece, "offset", JsValue::from_f64(p.offset as f64));
        set(&piece, "length", JsValue::from_f64(p.length as f64));
        pieces.push(&piece);
    }
    set(&out, "pieces", pieces.into());
    Ok(out.into())
}

/// The top-level box that starts at `offset` of clip number `clip` (0-based), read from `bytes`
/// (the file's first 16 bytes from `offset`, or fewer at its end); `fileSize` bounds it. Throws
/// `ERR_KLING_DECODE` naming the clip when the bytes are not a box header or the box runs past the
/// end of the file.
#[wasm_bindgen(js_name = boxAt, unchecked_return_type = "BoxInfo")]
pub fn box_at(
    clip: u32,
    bytes: &[u8],
    offset: f64,
    #[wasm_bindgen(js_name = fileSize)] file_size: f64,
) -> Result<JsValue, JsValue> {
    let offset = number(&JsValue::from_f64(offset), "offset")?;
    let file_size = number(&JsValue::from_f64(file_size), "fileSize")?;
    let clip = clip as usize;
    let b = crate::read_box_header(clip, bytes, offset, file_size).map_err(|e| to_js(&e))?;
    if offset == 0 {
        crate::layout::check_first(clip, &b).map_err(|e| to_js(&e))?;
    }
    let out = Object::new();
    set(
        &out,
        "type",
        JsValue::from_str(&String::from_utf8_lossy(&b.kind)),
    );
    set(&out, "offset", JsValue::from_f64(b.offset as f64));
    set(&out, "headerSize", JsValue::from_f64(b.header_len as f64));
    set(&out, "size", JsValue::from_f64(b.size as f64));
    Ok(out.into())
}
