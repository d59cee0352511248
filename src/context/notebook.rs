//! Notebook cells: which cell (and which part, source or output) each offset of a notebook's
//! JSON falls in, with a bounded, non-recursive scanner that tolerates truncated JSON.

use super::{CellPart, NotebookCell};

/// Deeper nesting than this is not a notebook anyone wrote; refusing it bounds the stack.
pub(super) const MAX_JSON_DEPTH: usize = 4096;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Root,
    Worksheets,
    Worksheet,
    Cells,
    Cell(usize),
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Key {
    Cells,
    Worksheets,
    Source,
    Outputs,
    Other,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Expect {
    KeyOrClose,
    Key,
    Colon,
    Value,
    ValueOrClose,
    CommaOrClose,
}

pub(super) struct Frame {
    object: bool,
    role: Role,
    key: Key,
    expect: Expect,
}

/// Maps byte offsets of an `.ipynb` file to the cell (and part) holding them.
///
/// A hand-rolled structural scan (not serde) because byte ranges matter: one linear pass with an
/// explicit stack records where each cell's `source` (nbformat 3: `input`) and `outputs` values
/// start and end. Returns `None` when the file is not well-formed JSON with an object on top, so
/// the caller treats it as plain text.
pub fn notebook_cells(data: &[u8], offsets: &[usize]) -> Option<Vec<Option<NotebookCell>>> {
    let ranges = cell_ranges(data)?;
    Some(
        offsets
            .iter()
            .map(|&off| {
                let idx = ranges.partition_point(|r| r.0 <= off);
                let (start, end, cell) = *ranges.get(idx.checked_sub(1)?)?;
                (start <= off && off < end).then_some(cell)
            })
            .collect(),
    )
}

/// Sorted, non-overlapping `(start, end_exclusive, cell)` ranges of cell sources and outputs.
pub(super) fn cell_ranges(data: &[u8]) -> Option<Vec<(usize, usize, NotebookCell)>> {
    let n = data.len();
    let mut i = if data.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut stack: Vec<Frame> = Vec::new();
    let mut ranges = Vec::new();
    // (start of the captured value, its cell, stack depth of its container)
    let mut capture: Option<(usize, NotebookCell, usize)> = None;
    let mut next_cell = 0usize;
    let mut done = false;

    loop {
        while i < n && matches!(data[i], b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
        }
        if i >= n {
            break;
        }
        if done {
            return None;
        }
        let b = data[i];
        let expect = stack.last().map(|f| f.expect);
        match expect {
            Some(Expect::KeyOrClose) if b == b'}' => {
                close(&mut stack, &mut capture, &mut ranges, i, &mut done);
                i += 1;
            }
            Some(Expect::ValueOrClose) if b == b']' => {
                close(&mut stack, &mut capture, &mut ranges, i, &mut done);
                i += 1;
            }
            Some(Expect::KeyOrClose | Expect::Key) => {
                if b != b'"' {
                    return None;
                }
                let end = scan_string(data, i)?;
                let key = match &data[i + 1..end - 1] {
                    b"cells" => Key::Cells,
                    b"worksheets" => Key::Worksheets,
                    b"source" | b"input" => Key::Source,
                    b"outputs" => Key::Outputs,
                    _ => Key::Other,
                };
                let frame = stack.last_mut()?;
                frame.key = key;
                frame.expect = Expect::Colon;
                i = end;
            }
            Some(Expect::Colon) => {
                if b != b':' {
                    return None;
                }
                stack.last_mut()?.expect = Expect::Value;
                i += 1;
            }
            Some(Expect::CommaOrClose) => {
                let frame = stack.last_mut()?;
                match (b, frame.object) {
                    (b',', true) => frame.expect = Expect::Key,
                    (b',', false) => frame.expect = Expect::Value,
                    (b'}', true) | (b']', false) => {
                        close(&mut stack, &mut capture, &mut ranges, i, &mut done);
                    }
                    _ => return None,
                }
                i += 1;
            }
            None | Some(Expect::Value | Expect::ValueOrClose) => {
                let parent = stack.last().map(|f| (f.role, f.key));
                let (role, part) = child_role(parent, b, &mut next_cell);
                match b {
                    b'{' | b'[' => {
                        if stack.len() >= MAX_JSON_DEPTH {
                            return None;
                        }
                        let object = b == b'{';
                        stack.push(Frame {
                            object,
                            role,
                            key: Key::Other,
                            expect: if object {
                                Expect::KeyOrClose
                            } else {
                                Expect::ValueOrClose
                            },
                        });
                        if let Some(cell) = part {
                            capture = Some((i, cell, stack.len()));
                        }
                        i += 1;
                    }
                    _ => {
                        if stack.is_empty() {
                            // A notebook's top level is an object.
                            return None;
                        }
                        let end = scan_scalar(data, i)?;
                        if let Some(cell) = part {
                            ranges.push((i, end, cell));
                        }
                        i = end;
                        value_done(&mut stack, &mut done);
                    }
                }
                if stack.first().is_some_and(|f| f.role != Role::Root) {
                    return None;
                }
            }
        }
    }
    done.then_some(ranges)
}

/// The role of a value starting with byte `b` inside a container, and the cell part it holds.
pub(super) fn child_role(
    parent: Option<(Role, Key)>,
    b: u8,
    next_cell: &mut usize,
) -> (Role, Option<NotebookCell>) {
    let role = match (parent, b) {
        (None, b'{') => Role::Root,
        (Some((Role::Root | Role::Worksheet, Key::Cells)), b'[') => Role::Cells,
        (Some((Role::Root, Key::Worksheets)), b'[') => Role::Worksheets,
        (Some((Role::Worksheets, _)), b'{') => Role::Worksheet,
        (Some((Role::Cells, _)), _) => {
            let index = *next_cell;
            *next_cell += 1;
            if b == b'{' {
                Role::Cell(index)
            } else {
                Role::Other
            }
        }
        (Some((Role::Cell(index), Key::Source)), _) => {
            let part = CellPart::Source;
            return (Role::Other, Some(NotebookCell { index, part }));
        }
        (Some((Role::Cell(index), Key::Outputs)), _) => {
            let part = CellPart::Output;
            return (Role::Other, Some(NotebookCell { index, part }));
        }
        _ => Role::Other,
    };
    (role, None)
}

pub(super) fn close(
    stack: &mut Vec<Frame>,
    capture: &mut Option<(usize, NotebookCell, usize)>,
    ranges: &mut Vec<(usize, usize, NotebookCell)>,
    i: usize,
    done: &mut bool,
) {
    if let Some((start, cell, depth)) = *capture {
        if depth == stack.len() {
            ranges.push((start, i + 1, cell));
            *capture = None;
        }
    }
    stack.pop();
    value_done(stack, done);
}

pub(super) fn value_done(stack: &mut [Frame], done: &mut bool) {
    match stack.last_mut() {
        Some(frame) => frame.expect = Expect::CommaOrClose,
        None => *done = true,
    }
}

/// End (exclusive) of the JSON string starting at `data[i] == b'"'`.
pub(super) fn scan_string(data: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        let p = memchr::memchr2(b'"', b'\\', data.get(j..)?)?;
        if data[j + p] == b'"' {
            return Some(j + p + 1);
        }
        j += p + 2;
    }
}

/// End (exclusive) of the string, number or literal starting at `data[i]`.
pub(super) fn scan_scalar(data: &[u8], i: usize) -> Option<usize> {
    match data[i] {
        b'"' => scan_string(data, i),
        b'-' | b'0'..=b'9' => {
            let len = data[i..]
                .iter()
                .take_while(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                .count();
            Some(i + len)
        }
        _ => [&b"true"[..], b"false", b"null"]
            .iter()
            .find(|lit| data[i..].starts_with(lit))
            .map(|lit| i + lit.len()),
    }
}
