//! The four labels and seven tags of `shared/LABELS.md`, and their order of harm.

use std::fmt;
use std::str::FromStr;

/// How many labels there are: the model's label outputs.
pub const N_LABELS: usize = Label::ALL.len();
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
    fn tag_sets_print_in_fixed_order() {
        let set = TagSet::parse_field("image;contacts;").unwrap();
        assert_eq!(set.to_field(), "contacts;image");
        assert!(TagSet::parse_field("contacts;bogus").is_err());
        assert!(TagSet::default().is_empty());
    }
}
