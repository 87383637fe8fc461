//! Where a clip's top-level boxes are: enough to find its `moov` from a few small reads.

use mp4_atom::{Decode, FourCC, Header};

use crate::error::{Error, Result};

/// How many bytes at a box's start are enough to read its header (a 64-bit size takes 16).
pub const BOX_HEADER_MAX: usize = 16;

/// One top-level box of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopBox {
    /// The box type, e.g. `*b"moov"`.
    pub kind: [u8; 4],
    /// Where the box starts in the file.
    pub offset: u64,
    /// Its header's length (8, or 16 with a 64-bit size).
    pub header_len: u64,
    /// Its whole length, header included.
    pub size: u64,
}

/// The top-level box starting at `offset` of clip `clip`, read from `bytes` (the file's bytes from
/// `offset`: [`BOX_HEADER_MAX`] of them, or up to the end of the file); `file_size` bounds it.
pub fn read_box_header(clip: usize, bytes: &[u8], offset: u64, file_size: u64) -> Result<TopBox> {
    let fail = |what: String| Error::decode(Some(clip), what);
    let mut head = &bytes[..bytes.len().min(BOX_HEADER_MAX)];
    let header = Header::decode(&mut &mut head)
        .map_err(|_| fail(format!("the box at byte {offset} has no valid header")))?;
    let kind: [u8; 4] = header.kind.into();
    if !kind.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
        return Err(fail(format!("the bytes at {offset} are not an MP4 box")));
    }
    let raw = bytes
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    let rest = file_size.saturating_sub(offset);
    let (header_len, size) = match (raw, header.size) {
        // A 64-bit size: read here rather than through mp4-atom's `usize`, which is 32 bits in
        // wasm and would wrap for a box over 4 GiB.
        (Some(1), _) => {
            let wide = bytes.get(8..16).and_then(|b| <[u8; 8]>::try_from(b).ok());
            (16, wide.map(u64::from_be_bytes).unwrap_or(0))
        }
        (_, None) => (8, rest),
        (_, Some(body)) => (8, body as u64 + 8),
    };
    if size < header_len || size > rest {
        return Err(fail(format!(
            "its {} box at byte {offset} claims {size} bytes, but the file has {rest} from there (is it truncated?)",
            FourCC::from(kind)
        )));
    }
    Ok(TopBox {
        kind,
        offset,
        header_len,
        size,
    })
}

/// The top-level boxes of a whole file.
pub fn top_level_boxes(clip: usize, file: &[u8]) -> Result<Vec<TopBox>> {
    let size = file.len() as u64;
    let mut boxes = Vec::new();
    let mut offset = 0u64;
    while offset < size {
        let at = usize::try_from(offset).unwrap_or(usize::MAX);
        let b = read_box_header(clip, file.get(at..).unwrap_or_default(), offset, size)?;
        if boxes.is_empty() {
            check_first(clip, &b)?;
        }
        boxes.push(b);
        offset += b.size;
    }
    Ok(boxes)
}

/// An MP4 starts with `ftyp` (a few writers put `free`, `wide` or the `moov` first): anything else
/// is another kind of file, refused before its bytes are taken for boxes.
pub fn check_first(clip: usize, first: &TopBox) -> Result<()> {
    match &first.kind {
        b"ftyp" | b"moov" | b"free" | b"skip" | b"wide" | b"mdat" => Ok(()),
        _ => Err(Error::decode(
            Some(clip),
            format!(
                "it starts with a {} box, not ftyp",
                FourCC::from(first.kind)
            ),
        )),
    }
}

/// The `moov` box of a whole file.
pub fn find_moov(clip: usize, file: &[u8]) -> Result<&[u8]> {
    let boxes = top_level_boxes(clip, file)?;
    let moov = boxes
        .iter()
        .find(|b| &b.kind == b"moov")
        .ok_or_else(|| Error::decode(Some(clip), "it has no moov box"))?;
    let start = usize::try_from(moov.offset)
        .map_err(|_| Error::decode(Some(clip), "its moov is out of reach"))?;
    let end = usize::try_from(moov.offset + moov.size)
        .map_err(|_| Error::decode(Some(clip), "its moov is out of reach"))?;
    file.get(start..end)
        .ok_or_else(|| Error::decode(Some(clip), "its moov is out of reach"))
}
