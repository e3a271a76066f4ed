//! The four built-in labels and seven tags of `shared/LABELS.md`, their order of harm, and the
//! label set of a model: the built-in four, or names of the user's own found in training data.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// How many built-in labels there are.
pub const N_LABELS: usize = Label::ALL.len();
/// The most labels a model's label set may have.
pub const MAX_LABELS: usize = 32;
/// How many tags there are: the model's tag outputs.
pub const N_TAGS: usize = Tag::ALL.len();

/// One label per message. The order of the variants is the order of the model's outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    /// Collection that stays within the law: a due date, the amount owed, a lawful step such as a
    /// civil suit or a credit-bureau report.
    LawfulReminder,
    /// Collection by threat, harassment, insult or deceit.
    Intimidation,
    /// A threat, carried out or planned, to make or spread pictures or video of the debtor or their
    /// family to shame them.
    DoctoredImageThreat,
    /// Everything that is not collecting a debt.
    Other,
}

impl Label {
    /// Every label, in the order of the model's outputs.
    pub const ALL: [Label; 4] = [Label::LawfulReminder, Label::Intimidation, Label::DoctoredImageThreat, Label::Other];

    /// The label's name in files and on the command line (`lawful_reminder`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Label::LawfulReminder => "lawful_reminder",
            Label::Intimidation => "intimidation",
            Label::DoctoredImageThreat => "doctored_image_threat",
            Label::Other => "other",
        }
    }

    /// Position in [`Label::ALL`]: the model's output index.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The label at position `i` of [`Label::ALL`]; `None` past the end.
    pub fn from_index(i: usize) -> Option<Label> {
        Label::ALL.get(i).copied()
    }

    /// Harm rank: when labels compete the higher one wins
    /// (`doctored_image_threat` > `intimidation` > `lawful_reminder` > `other`).
    pub fn harm(self) -> u8 {
        match self {
            Label::DoctoredImageThreat => 3,
            Label::Intimidation => 2,
            Label::LawfulReminder => 1,
            Label::Other => 0,
        }
    }

    /// Whether the label marks an unlawful message.
    pub fn is_unlawful(self) -> bool {
        matches!(self, Label::Intimidation | Label::DoctoredImageThreat)
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A label name that is not one of the four.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown label {0:?}: expected one of lawful_reminder, intimidation, doctored_image_threat, other")]
pub struct UnknownLabel(pub String);

impl FromStr for Label {
    type Err = UnknownLabel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Label::ALL.into_iter().find(|l| l.as_str() == s.trim()).ok_or_else(|| UnknownLabel(s.to_string()))
    }
}

/// The labels of a model, in the order of its outputs: the four built-in labels (whose meanings,
/// tags, lexicon evidence and rules this build knows), or a set of the user's own names, 2 to
/// [`MAX_LABELS`] of them. Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSet {
    names: Arc<[String]>,
    builtin: bool,
}

/// Why names cannot be a label set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelSetError {
    /// Fewer than 2 or more than [`MAX_LABELS`] names (the number given).
    #[error("a model needs 2 to {MAX_LABELS} labels, found {0}")]
    Count(usize),
    /// An empty (or blank) name.
    #[error("a label name is empty")]
    Empty,
    /// A name with a `;`, a control character or surrounding white space (the name given).
    #[error("label name {0:?} may not hold `;`, control characters or surrounding spaces")]
    BadName(String),
    /// A name given twice.
    #[error("label {0:?} is given twice")]
    Duplicate(String),
}

impl LabelSet {
    /// The four built-in labels in the order of [`Label::ALL`].
    pub fn builtin() -> LabelSet {
        LabelSet { names: Label::ALL.iter().map(|l| l.as_str().to_string()).collect(), builtin: true }
    }

    /// A label set of `names`, in that order; it is the built-in set when the names are exactly
    /// the four built-in ones in their order.
    pub fn new<S: AsRef<str>>(names: &[S]) -> Result<LabelSet, LabelSetError> {
        if !(2..=MAX_LABELS).contains(&names.len()) {
            return Err(LabelSetError::Count(names.len()));
        }
        let mut seen = std::collections::BTreeSet::new();
        for name in names.iter().map(AsRef::as_ref) {
            if name.trim().is_empty() {
                return Err(LabelSetError::Empty);
            }
            if name.trim() != name || name.chars().any(|c| c == ';' || c.is_control()) {
                return Err(LabelSetError::BadName(name.to_string()));
            }
            if !seen.insert(name) {
                return Err(LabelSetError::Duplicate(name.to_string()));
            }
        }
        let builtin = names.iter().map(AsRef::as_ref).eq(Label::ALL.iter().map(|l| l.as_str()));
        Ok(LabelSet { names: names.iter().map(|n| n.as_ref().to_string()).collect(), builtin })
    }

    /// The label set that training data with these labels trains: the built-in set when every
    /// name is a built-in label's (some may be missing, as before label sets), else the names
    /// found, sorted (so that the order of the rows does not change the model).
    pub fn of_names<'a>(found: impl IntoIterator<Item = &'a str>) -> Result<LabelSet, LabelSetError> {
        let found: std::collections::BTreeSet<&str> = found.into_iter().collect();
        if found.iter().all(|n| n.parse::<Label>().is_ok_and(|l| l.as_str() == *n)) {
            return Ok(LabelSet::builtin());
        }
        LabelSet::new(&found.into_iter().collect::<Vec<_>>())
    }

    /// Whether these are the four built-in labels, to which tags, lexicon evidence, the image
    /// rule and the reports apply.
    pub fn is_builtin(&self) -> bool {
        self.builtin
    }

    /// The names, in output order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// How many labels there are.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Always false: a label set has at least 2 labels.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The name of output `k`.
    pub fn name(&self, k: usize) -> &str {
        &self.names[k]
    }

    /// The output index of the label called `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The built-in label of output `k`, for the built-in set; `None` for a set of one's own.
    pub fn builtin_label(&self, k: usize) -> Option<Label> {
        if self.builtin { Label::from_index(k) } else { None }
    }

    /// The names joined by `, `, for messages.
    pub fn joined(&self) -> String {
        self.names.join(", ")
    }
}

impl Default for LabelSet {
    fn default() -> Self {
        LabelSet::builtin()
    }
}

/// A harm named by a message; a message may carry several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tag {
    /// Contacting the address book, family, friends, employer or school.
    Contacts,
    /// A visit to the home, workplace or home village.
    Visit,
    /// Bodily harm, open or veiled.
    Violence,
    /// An arrest, a criminal case, police, court staff or frozen accounts that are not real;
    /// impersonation.
    FalseLegal,
    /// Curses, insults, degrading words.
    Insult,
    /// Public shaming: groups, 朋友圈, posters, 曝光.
    Exposure,
    /// Doctored or shaming pictures or video of the debtor or their family.
    Image,
}

impl Tag {
    /// Every tag, in the order of the model's tag outputs.
    pub const ALL: [Tag; 7] =
        [Tag::Contacts, Tag::Visit, Tag::Violence, Tag::FalseLegal, Tag::Insult, Tag::Exposure, Tag::Image];

    /// The tag's name in files and on the command line (`contacts`, `false_legal`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Contacts => "contacts",
            Tag::Visit => "visit",
            Tag::Violence => "violence",
            Tag::FalseLegal => "false_legal",
            Tag::Insult => "insult",
            Tag::Exposure => "exposure",
            Tag::Image => "image",
        }
    }

    /// Position in [`Tag::ALL`]: the model's tag output index.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tag name that is not one of the seven.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown tag {0:?}: expected one of contacts, visit, violence, false_legal, insult, exposure, image")]
pub struct UnknownTag(pub String);

impl FromStr for Tag {
    type Err = UnknownTag;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Tag::ALL.into_iter().find(|t| t.as_str() == s.trim()).ok_or_else(|| UnknownTag(s.to_string()))
    }
}

/// A small set of tags, kept as a bit mask so it is `Copy` and ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TagSet(u8);

impl TagSet {
    /// Adds `tag`.
    pub fn insert(&mut self, tag: Tag) {
        self.0 |= 1 << tag.index();
    }

    /// Whether `tag` is in the set.
    pub fn contains(self, tag: Tag) -> bool {
        self.0 & (1 << tag.index()) != 0
    }

    /// Whether the set holds no tag.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The tags in the set, in the order of [`Tag::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Tag> {
        Tag::ALL.into_iter().filter(move |t| self.contains(*t))
    }

    /// `;`-separated tag names in the fixed order of [`Tag::ALL`].
    pub fn to_field(self) -> String {
        let mut s = String::new();
        for t in self.iter() {
            if !s.is_empty() {
                s.push(';');
            }
            s.push_str(t.as_str());
        }
        s
    }

    /// Parses a `;`-separated field; empty parts are ignored.
    pub fn parse_field(field: &str) -> Result<TagSet, UnknownTag> {
        let mut set = TagSet::default();
        for part in field.split(';').filter(|p| !p.trim().is_empty()) {
            set.insert(part.parse()?);
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip_and_rank_by_harm() {
        for l in Label::ALL {
            assert_eq!(l.as_str().parse::<Label>().unwrap(), l);
            assert_eq!(Label::from_index(l.index()), Some(l));
        }
        assert!(Label::DoctoredImageThreat.harm() > Label::Intimidation.harm());
        assert!(Label::Intimidation.harm() > Label::LawfulReminder.harm());
        assert!(Label::LawfulReminder.harm() > Label::Other.harm());
        assert!("threat".parse::<Label>().is_err());
    }

    #[test]
    fn label_sets_are_checked_and_know_the_builtin_one() {
        let builtin = LabelSet::builtin();
        assert!(builtin.is_builtin() && builtin.len() == 4);
        assert_eq!(LabelSet::new(&["lawful_reminder", "intimidation", "doctored_image_threat", "other"]), Ok(builtin));
        // the built-in names in another order are a set of one's own: their outputs differ
        let shuffled = LabelSet::new(&["other", "intimidation", "doctored_image_threat", "lawful_reminder"]).unwrap();
        assert!(!shuffled.is_builtin() && shuffled.builtin_label(0).is_none());
        let own = LabelSet::new(&["bill", "promo", "personal"]).unwrap();
        assert_eq!((own.index("promo"), own.index("spam"), own.name(2)), (Some(1), None, "personal"));
        assert_eq!(LabelSet::new(&["only"]), Err(LabelSetError::Count(1)));
        let many: Vec<String> = (0..=MAX_LABELS).map(|i| format!("l{i}")).collect();
        assert_eq!(LabelSet::new(&many), Err(LabelSetError::Count(MAX_LABELS + 1)));
        assert_eq!(LabelSet::new(&["a", " "]), Err(LabelSetError::Empty));
        assert_eq!(LabelSet::new(&["a", "b;c"]), Err(LabelSetError::BadName("b;c".into())));
        assert_eq!(LabelSet::new(&["a", "b\u{1b}"]), Err(LabelSetError::BadName("b\u{1b}".into())));
        assert_eq!(LabelSet::new(&["a", " b"]), Err(LabelSetError::BadName(" b".into())));
        assert_eq!(LabelSet::new(&["a", "b", "a"]), Err(LabelSetError::Duplicate("a".into())));
    }

    #[test]
    fn training_names_give_the_builtin_set_or_a_sorted_one() {
        assert!(LabelSet::of_names(["other", "intimidation"]).unwrap().is_builtin());
        let own = LabelSet::of_names(["promo", "bill", "personal", "bill"]).unwrap();
        assert_eq!(own.names(), ["bill", "personal", "promo"]);
        // one name outside the four makes the whole set one's own
        let mixed = LabelSet::of_names(["other", "spam"]).unwrap();
        assert_eq!((mixed.is_builtin(), mixed.joined()), (false, "other, spam".to_string()));
        assert_eq!(LabelSet::of_names(["spam"]), Err(LabelSetError::Count(1)));
    }

    #[test]
    fn tag_sets_print_in_fixed_order() {
        let set = TagSet::parse_field("image;contacts;").unwrap();
        assert_eq!(set.to_field(), "contacts;image");
        assert!(TagSet::parse_field("contacts;bogus").is_err());
        assert!(TagSet::default().is_empty());
    }
}
