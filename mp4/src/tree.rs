//! The boxes inside a container's body, located with mp4-atom's `Header`. The joiner decodes
//! only the leaf boxes it reads (through their typed decoders) and copies every other box as
//! bytes: a container decoded through mp4-atom decodes its children through `Any`, which links
//! every box type mp4-atom knows — two thirds of the module (mp4/README.md, "Size").

use mp4_atom::{Decode, Header};

/// A box within a container's body: its type, its bytes (header included), and its body.
#[derive(Debug, Clone, Copy)]
pub struct Child<'a> {
    pub kind: [u8; 4],
    pub whole: &'a [u8],
    pub body: &'a [u8],
}

/// The boxes that make up `body`, in order; `None` when one runs past the end. Fewer than 8
/// bytes left at the end are padding (as QuickTime writes), tolerated as mp4-atom does.
pub fn children(body: &[u8]) -> Option<Vec<Child<'_>>> {
    let mut out = Vec::new();
    let mut rest = body;
    while rest.len() >= 8 {
        let start = rest;
        let mut cursor = rest;
        let header = Header::decode(&mut &mut cursor).ok()?;
        let header_len = start.len() - cursor.len();
        let body_len = header.size.unwrap_or(cursor.len());
        let body = cursor.get(..body_len)?;
        out.push(Child {
            kind: header.kind.into(),
            whole: &start[..header_len + body_len],
            body,
        });
        rest = &cursor[body_len..];
    }
    Some(out)
}

/// The first child of type `kind`.
pub fn find<'a>(list: &[Child<'a>], kind: &[u8; 4]) -> Option<Child<'a>> {
    list.iter().find(|c| &c.kind == kind).copied()
}
