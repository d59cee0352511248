//! The notebook reader: never a panic; an answer for every offset asked, cells in document
//! order, nothing past the end; and every JSON object that serde_json reads is a notebook it
//! reads too (it tolerates more, never less).

#![no_main]

use hfaudit::context::notebook_cells;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let step = (data.len() / 64).max(1);
    let mut offsets: Vec<usize> = (0..data.len()).step_by(step).collect();
    offsets.extend([data.len(), data.len() + 1, usize::MAX]);
    let cells = notebook_cells(data, &offsets);
    if let Some(cells) = &cells {
        assert_eq!(cells.len(), offsets.len());
        let mut last = 0;
        for (off, cell) in offsets.iter().zip(cells) {
            let Some(cell) = cell else { continue };
            assert!(*off < data.len(), "a cell at {off}, past the end");
            assert!(cell.index >= last, "cells out of order");
            assert!(cell.index < data.len(), "more cells than bytes");
            last = cell.index;
        }
    }
    if let Ok(serde_json::Value::Object(_)) = serde_json::from_slice(data) {
        assert!(cells.is_some(), "a JSON object not read as a notebook");
    }
});
