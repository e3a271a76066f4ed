//! Fuzz target: normalization, segmentation and classification never panic, spans stay inside the
//! original text, and evidence points at exactly the text it quotes.
#![no_main]

use std::sync::OnceLock;

use cuishou::{Classifier, Scratch};
use libfuzzer_sys::fuzz_target;

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(|| Classifier::bundled().expect("bundled model"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut scratch = Scratch::default();
    let p = classifier().predict(text, &mut scratch);
    let a = scratch.analysis();
    let n = text.chars().count() as u32;
    assert_eq!(a.normalized.spans.len(), a.normalized.text.chars().count());
    for &(s, e) in &a.normalized.spans {
        assert!(s <= e && e <= n, "span {s}-{e} outside {n} chars");
    }
    let chars: Vec<char> = text.chars().collect();
    for span in &p.evidence {
        assert!(span.start < span.end && span.end <= n);
        let quoted: String = chars[span.start as usize..span.end as usize].iter().collect();
        assert!(cuishou::output::format_evidence(text, &[*span]).starts_with(&quoted));
    }
});
