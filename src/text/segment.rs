//! Segmentation: jieba-rs with the bundled dictionary plus the domain dictionary, built once and shared.

use std::io::BufReader;
use std::sync::Arc;

use jieba_rs::Jieba;

/// A word of the normalized text, as character offsets into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenSpan {
    /// First character of the word.
    pub start: u32,
    /// One past the last character of the word.
    pub end: u32,
    /// Byte offset of the word's start in the text.
    pub byte_start: u32,
    /// Byte offset one past the word's end.
    pub byte_end: u32,
}

/// An error in the domain dictionary.
#[derive(Debug, thiserror::Error)]
#[error("domain dictionary: {0}")]
pub struct DictError(String);

/// Cuts normalized text into words. Cheap to clone: the dictionary is shared.
#[derive(Clone)]
pub struct Segmenter {
    jieba: Arc<Jieba>,
}

impl Segmenter {
    /// Loads jieba's dictionary and adds the domain dictionary (`word freq [tag]` per line).
    /// Words are lower-cased first, as normalized text is.
    pub fn new(domain_dict: &str) -> Result<Segmenter, DictError> {
        let mut jieba = Jieba::new();
        let lowered: String = domain_dict
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let mut parts = l.split_whitespace();
                let word = parts.next().unwrap_or("").to_lowercase();
                let rest: Vec<&str> = parts.collect();
                format!("{word} {}\n", rest.join(" "))
            })
            .collect();
        jieba.load_dict(&mut BufReader::new(lowered.as_bytes())).map_err(|e| DictError(e.to_string()))?;
        Ok(Segmenter { jieba: Arc::new(jieba) })
    }

    /// Cuts `text` (with HMM for unknown words), appending tokens to `out` after clearing it.
    pub fn segment(&self, text: &str, out: &mut Vec<TokenSpan>) {
        out.clear();
        out.extend(self.jieba.cut(text, true).into_iter().map(|t| TokenSpan {
            start: t.start as u32,
            end: t.end as u32,
            byte_start: t.byte_start as u32,
            byte_end: t.byte_end as u32,
        }));
    }

    /// Whether the combined dictionary knows `word`.
    pub fn knows(&self, word: &str) -> bool {
        self.jieba.has_word(word)
    }
}

/// Whether a token carries meaning for features (not only whitespace or punctuation).
pub fn is_content_token(word: &str) -> bool {
    // The common cases (Chinese, ASCII) first: `char::is_alphanumeric` searches Unicode tables.
    word.chars().any(|c| {
        super::normalize::is_cjk(c)
            || c.is_ascii_alphanumeric()
            || (!c.is_ascii() && (super::normalize::Placeholder::from_char(c).is_some() || c.is_alphanumeric()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_words_come_out_whole() {
        let seg = Segmenter::new("爆通讯录 50000 v\nP图 50000 n\n上征信 30000 v\n").unwrap();
        let text = "再不还钱就爆通讯录，p图发群，明天上征信";
        let mut toks = Vec::new();
        seg.segment(text, &mut toks);
        let words: Vec<&str> = toks.iter().map(|t| &text[t.byte_start as usize..t.byte_end as usize]).collect();
        assert!(words.contains(&"爆通讯录"), "{words:?}");
        assert!(words.contains(&"p图"), "{words:?}");
        assert!(words.contains(&"上征信"), "{words:?}");
        assert!(seg.knows("p图"));
    }

    #[test]
    fn content_tokens_skip_punctuation() {
        assert!(is_content_token("还款"));
        assert!(is_content_token("\u{E001}"));
        assert!(!is_content_token("，"));
        assert!(!is_content_token(" "));
    }
}
