//! Search grids written by a person (`epochs=10,15 lr=0.2,0.3`): parsed, checked value by value,
//! and expanded into the cartesian product of settings over a base setting.

use std::fmt;
use std::str::FromStr;

use linfa::ParamGuard;

use super::hyperparams::LinearParams;
use super::train::Setting;

/// A setting a grid can vary; its name is the `cuishou train` flag's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridKey {
    /// `bucket-bits`: log2 of the number of hash buckets.
    BucketBits,
    /// `word-ngrams`: word n-grams up to this length.
    WordNgrams,
    /// `char-ngrams`: character n-gram lengths, as `MIN-MAX`.
    CharNgrams,
    /// `epochs`: passes over the training rows.
    Epochs,
    /// `learning-rate` (or `lr`): the AdaGrad step size.
    LearningRate,
    /// `l2`: the L2 penalty.
    L2,
    /// `tag-weight`: weight of the tag loss.
    TagWeight,
}

impl GridKey {
    /// Every key, in the order of [`Setting::to_args`] and of the search log's columns.
    pub const ALL: [GridKey; 7] = [
        GridKey::BucketBits,
        GridKey::WordNgrams,
        GridKey::CharNgrams,
        GridKey::Epochs,
        GridKey::LearningRate,
        GridKey::L2,
        GridKey::TagWeight,
    ];

    /// The key's name: the `cuishou train` flag without its dashes.
    pub fn name(self) -> &'static str {
        match self {
            GridKey::BucketBits => "bucket-bits",
            GridKey::WordNgrams => "word-ngrams",
            GridKey::CharNgrams => "char-ngrams",
            GridKey::Epochs => "epochs",
            GridKey::LearningRate => "learning-rate",
            GridKey::L2 => "l2",
            GridKey::TagWeight => "tag-weight",
        }
    }

    /// The key as a CSV column or JSON field name (`bucket_bits`, …).
    pub fn column(self) -> String {
        self.name().replace('-', "_")
    }

    /// The value `setting` has for this key, written as a grid or flag value (`1-2`, `0.3`).
    pub fn value_of(self, setting: &Setting) -> String {
        let (f, p) = (&setting.features, &setting.params);
        match self {
            GridKey::BucketBits => f.bucket_bits.to_string(),
            GridKey::WordNgrams => f.word_ngrams.to_string(),
            GridKey::CharNgrams => format!("{}-{}", f.char_ngram_min, f.char_ngram_max),
            GridKey::Epochs => p.epochs().to_string(),
            GridKey::LearningRate => p.learning_rate().to_string(),
            GridKey::L2 => p.l2().to_string(),
            GridKey::TagWeight => p.tag_weight().to_string(),
        }
    }

    /// Parses one value of this key (not yet range-checked: see [`Grid::settings`]).
    fn parse_value(self, value: &str) -> Result<Assignment, String> {
        fn number<T: FromStr>(value: &str, what: &str) -> Result<T, String> {
            value.parse().map_err(|_| format!("expected {what}"))
        }
        Ok(match self {
            GridKey::BucketBits => Assignment::BucketBits(number(value, "a whole number such as 18")?),
            GridKey::WordNgrams => Assignment::WordNgrams(number(value, "a whole number such as 2")?),
            GridKey::CharNgrams => {
                let (a, b) = parse_range(value)?;
                Assignment::CharNgrams(a, b)
            }
            GridKey::Epochs => Assignment::Epochs(number(value, "a whole number such as 15")?),
            GridKey::LearningRate => Assignment::LearningRate(number(value, "a number such as 0.3")?),
            GridKey::L2 => Assignment::L2(number(value, "a number such as 1e-6")?),
            GridKey::TagWeight => Assignment::TagWeight(number(value, "a number such as 0.5")?),
        })
    }
}

impl fmt::Display for GridKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for GridKey {
    type Err = GridError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let key = if s == "lr" { "learning-rate" } else { s };
        GridKey::ALL.into_iter().find(|k| k.name() == key).ok_or_else(|| GridError::UnknownKey(s.to_string()))
    }
}

/// A character n-gram range `MIN-MAX` (`0-0`: none), as `--char-ngrams` takes it.
pub fn parse_range(s: &str) -> Result<(u8, u8), String> {
    let (a, b) = s.split_once('-').ok_or_else(|| format!("expected MIN-MAX, got {s:?}"))?;
    let a = a.trim().parse().map_err(|_| format!("bad minimum in {s:?}"))?;
    let b = b.trim().parse().map_err(|_| format!("bad maximum in {s:?}"))?;
    Ok((a, b))
}

/// One key set to one value.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Assignment {
    BucketBits(u8),
    WordNgrams(u8),
    CharNgrams(u8, u8),
    Epochs(usize),
    LearningRate(f32),
    L2(f32),
    TagWeight(f32),
}

impl Assignment {
    /// Sets the value in `setting`'s features, or in `params`.
    fn apply(self, setting: &mut Setting, params: LinearParams) -> LinearParams {
        let f = &mut setting.features;
        match self {
            Assignment::BucketBits(v) => f.bucket_bits = v,
            Assignment::WordNgrams(v) => f.word_ngrams = v,
            Assignment::CharNgrams(a, b) => (f.char_ngram_min, f.char_ngram_max) = (a, b),
            Assignment::Epochs(v) => return params.epochs(v),
            Assignment::LearningRate(v) => return params.learning_rate(v),
            Assignment::L2(v) => return params.l2(v),
            Assignment::TagWeight(v) => return params.tag_weight(v),
        }
        params
    }
}

/// Why a grid was refused: each error names the key or value at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GridError {
    /// The grid has no entries.
    #[error("empty grid: expected entries such as 'epochs=10,15 lr=0.2,0.3' (keys: {keys})", keys = valid_keys())]
    Empty,
    /// An entry is not `key=v1,v2,...`.
    #[error("grid entry {0:?} is not key=v1,v2,... (keys: {keys})", keys = valid_keys())]
    Entry(String),
    /// A key that no setting has.
    #[error("unknown grid key {0:?} (keys: {keys})", keys = valid_keys())]
    UnknownKey(String),
    /// A key given twice (`lr` and `learning-rate` are the same key).
    #[error("grid key {0} is given twice")]
    Repeated(GridKey),
    /// A value that does not parse, or that the hyper-parameter checks refuse.
    #[error("grid value {key}={value:?}: {why} (keys: {keys})", keys = valid_keys())]
    Value {
        /// The key.
        key: GridKey,
        /// The value as written.
        value: String,
        /// What is wrong with it.
        why: String,
    },
    /// A combination of values that the checks refuse.
    #[error("grid candidate '{candidate}': {why}")]
    Candidate {
        /// The combination, as `key=value` entries.
        candidate: String,
        /// What is wrong with it.
        why: String,
    },
}

/// The valid keys, for error messages.
pub fn valid_keys() -> String {
    let names: Vec<&str> = GridKey::ALL.iter().map(|k| k.name()).collect();
    format!("{} (lr for learning-rate)", names.join(", "))
}

/// A parsed grid: for each key given, the values to try, in the order written.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    axes: Vec<(GridKey, Vec<(String, Assignment)>)>,
}

/// The grid that `cuishou train --search` tries: character n-grams none, 1-2, 1-3 and 2-4,
/// learning rates 0.1 and 0.3, 5 and 15 epochs.
pub const DEFAULT_GRID: &str = "char-ngrams=0-0,1-2,1-3,2-4 learning-rate=0.1,0.3 epochs=5,15";

impl FromStr for Grid {
    type Err = GridError;

    /// Parses space-separated `key=v1,v2,...` entries.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut axes: Vec<(GridKey, Vec<(String, Assignment)>)> = Vec::new();
        for entry in s.split_whitespace() {
            let (key, values) = entry.split_once('=').ok_or_else(|| GridError::Entry(entry.to_string()))?;
            let key: GridKey = key.parse()?;
            if axes.iter().any(|(k, _)| *k == key) {
                return Err(GridError::Repeated(key));
            }
            let bad = |value: &str, why: String| GridError::Value { key, value: value.to_string(), why };
            let values = values
                .split(',')
                .map(|v| {
                    let v = v.trim();
                    if v.is_empty() {
                        return Err(bad(v, "empty value".to_string()));
                    }
                    key.parse_value(v).map(|a| (v.to_string(), a)).map_err(|why| bad(v, why))
                })
                .collect::<Result<Vec<_>, _>>()?;
            axes.push((key, values));
        }
        if axes.is_empty() {
            return Err(GridError::Empty);
        }
        Ok(Grid { axes })
    }
}

impl Grid {
    /// The keys given, in the order written.
    pub fn keys(&self) -> Vec<GridKey> {
        self.axes.iter().map(|(k, _)| *k).collect()
    }

    /// The number of candidates: the product of the numbers of values.
    pub fn len(&self) -> usize {
        self.axes.iter().map(|(_, v)| v.len()).product()
    }

    /// Whether the grid has no candidates (never, once parsed).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every candidate: `base` with each combination of the grid's values (the first key varies
    /// slowest), each checked by the feature and hyper-parameter checks. A value those refuse is
    /// named in the error.
    pub fn settings(&self, base: &Setting) -> Result<Vec<Setting>, GridError> {
        // each value on its own first, so that the error names the value and not a combination
        for (key, values) in &self.axes {
            for (text, a) in values {
                checked(base, &[*a]).map_err(|why| GridError::Value { key: *key, value: text.clone(), why })?;
            }
        }
        let mut combinations: Vec<Vec<(GridKey, &str, Assignment)>> = vec![Vec::new()];
        for (key, values) in &self.axes {
            combinations = combinations
                .iter()
                .flat_map(|prefix| {
                    values.iter().map(move |(text, a)| {
                        let mut c = prefix.clone();
                        c.push((*key, text.as_str(), *a));
                        c
                    })
                })
                .collect();
        }
        combinations
            .iter()
            .map(|c| {
                let assignments: Vec<Assignment> = c.iter().map(|(_, _, a)| *a).collect();
                checked(base, &assignments).map_err(|why| {
                    let written: Vec<String> = c.iter().map(|(k, t, _)| format!("{k}={t}")).collect();
                    GridError::Candidate { candidate: written.join(" "), why }
                })
            })
            .collect()
    }
}

/// `base` with `assignments` applied, if the checks accept it.
fn checked(base: &Setting, assignments: &[Assignment]) -> Result<Setting, String> {
    let mut setting = base.clone();
    let mut params = LinearParams::from(base.params.clone());
    for a in assignments {
        params = a.apply(&mut setting, params);
    }
    setting.features.check().map_err(|e| e.to_string())?;
    setting.params = params.check().map_err(|e| e.to_string())?;
    Ok(setting)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Setting {
        Setting::default()
    }

    #[test]
    fn a_grid_is_the_cartesian_product_over_the_base() {
        let grid: Grid = "epochs=10,15 lr=0.2,0.3 char-ngrams=1-3".parse().unwrap();
        assert_eq!(grid.keys(), [GridKey::Epochs, GridKey::LearningRate, GridKey::CharNgrams]);
        assert_eq!(grid.len(), 4);
        let settings = grid.settings(&base()).unwrap();
        let seen: Vec<(usize, f32)> = settings.iter().map(|s| (s.params.epochs(), s.params.learning_rate())).collect();
        assert_eq!(seen, [(10, 0.2), (10, 0.3), (15, 0.2), (15, 0.3)], "the first key varies slowest");
        for s in &settings {
            assert_eq!((s.features.char_ngram_min, s.features.char_ngram_max), (1, 3));
            // what the grid does not name stays as in the base
            assert_eq!(s.features.bucket_bits, base().features.bucket_bits);
            assert_eq!(s.params.l2(), base().params.l2());
            assert_eq!(s.params.seed(), base().params.seed());
        }
    }

    #[test]
    fn every_key_parses_and_reads_back_from_a_setting() {
        let grid: Grid =
            "bucket-bits=12 word-ngrams=1 char-ngrams=0-0 epochs=3 learning-rate=0.5 l2=0.001 tag-weight=0"
                .parse()
                .unwrap();
        let s = &grid.settings(&base()).unwrap()[0];
        let values: Vec<String> = GridKey::ALL.iter().map(|k| k.value_of(s)).collect();
        assert_eq!(values, ["12", "1", "0-0", "3", "0.5", "0.001", "0"]);
        assert_eq!(GridKey::CharNgrams.column(), "char_ngrams");
    }

    #[test]
    fn ranges_parse_and_bad_ranges_are_named() {
        let grid: Grid = "char-ngrams=0-0,1-2,2-4".parse().unwrap();
        let ranges: Vec<(u8, u8)> = grid
            .settings(&base())
            .unwrap()
            .iter()
            .map(|s| (s.features.char_ngram_min, s.features.char_ngram_max))
            .collect();
        assert_eq!(ranges, [(0, 0), (1, 2), (2, 4)]);
        let err = "char-ngrams=1-2,13".parse::<Grid>().unwrap_err();
        assert!(matches!(&err, GridError::Value { key: GridKey::CharNgrams, value, .. } if value == "13"), "{err}");
        assert!(err.to_string().contains("MIN-MAX"), "{err}");
        // parses, but the feature checks refuse it: min > max, and max > 5
        for bad in ["3-1", "1-6"] {
            let err = format!("char-ngrams={bad}").parse::<Grid>().unwrap().settings(&base()).unwrap_err();
            assert!(err.to_string().contains(&format!("char-ngrams=\"{bad}\"")), "{err}");
        }
    }

    #[test]
    fn an_unknown_key_is_named_with_the_valid_keys() {
        let err = "epochs=5 momentum=0.9".parse::<Grid>().unwrap_err();
        assert_eq!(err, GridError::UnknownKey("momentum".to_string()));
        let message = err.to_string();
        assert!(message.contains("\"momentum\""), "{message}");
        for key in GridKey::ALL {
            assert!(message.contains(key.name()), "{message}");
        }
        assert!(message.contains("lr"), "{message}");
    }

    #[test]
    fn bad_values_are_named() {
        let err = "epochs=5,ten".parse::<Grid>().unwrap_err();
        assert!(matches!(&err, GridError::Value { key: GridKey::Epochs, value, .. } if value == "ten"), "{err}");
        assert!(err.to_string().contains("epochs=\"ten\""), "{err}");
        assert!(matches!("lr=0.1,".parse::<Grid>(), Err(GridError::Value { key: GridKey::LearningRate, .. })));
        // out of range: refused by the hyper-parameter checks, value named
        for (grid, value) in [("epochs=5,0", "0"), ("lr=-1", "-1"), ("l2=NaN", "NaN"), ("bucket-bits=30", "30")] {
            let err = grid.parse::<Grid>().unwrap().settings(&base()).unwrap_err();
            assert!(matches!(&err, GridError::Value { value: v, .. } if v == value), "{grid}: {err}");
        }
    }

    #[test]
    fn malformed_grids_are_refused() {
        assert_eq!("".parse::<Grid>(), Err(GridError::Empty));
        assert_eq!("  ".parse::<Grid>(), Err(GridError::Empty));
        assert_eq!("epochs".parse::<Grid>(), Err(GridError::Entry("epochs".to_string())));
        assert_eq!("lr=0.1 learning-rate=0.2".parse::<Grid>(), Err(GridError::Repeated(GridKey::LearningRate)));
    }

    #[test]
    fn the_default_grid_parses_to_sixteen_settings() {
        let grid: Grid = DEFAULT_GRID.parse().unwrap();
        assert_eq!(grid.len(), 16);
        assert_eq!(grid.settings(&base()).unwrap().len(), 16);
    }
}
