//! Fuzz target: the txt reader never panics, and every record it yields has its text field.
#![no_main]

use cuishou::io::{Format, Item, ReadOptions, open_reader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions { max_chars: 2_000, ..ReadOptions::default() };
    let input = Box::new(std::io::Cursor::new(data.to_vec()));
    let Ok(mut source) = open_reader("fuzz", input, Format::Txt, &options) else { return };
    while let Some(item) = source.next_item() {
        match item {
            Ok(Item::Record(r)) => assert!(r.text_field < r.fields.len()),
            Ok(Item::Reject(r)) => assert!(r.raw.len() <= 4 * cuishou::io::MAX_RAW_BYTES),
            Err(_) => break,
        }
    }
});
