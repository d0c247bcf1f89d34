//! Multilingual texts: a map locale → text with `mn` (Mongolian, Cyrillic) required
//! and used as the fallback.

use super::error::Invalid;
use std::collections::BTreeMap;

/// Locales Sanal stores texts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Locale {
    /// Mongolian in Cyrillic script (primary).
    Mn,
    /// English.
    En,
    /// Mongolian in traditional Mongol script (required for official documents).
    MnMong,
    /// Kazakh (Bayan-Ölgii).
    Kk,
}

impl Locale {
    /// All supported locales, primary first.
    pub const ALL: [Locale; 4] = [Locale::Mn, Locale::En, Locale::MnMong, Locale::Kk];

    /// BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Mn => "mn",
            Self::En => "en",
            Self::MnMong => "mn-Mong",
            Self::Kk => "kk",
        }
    }

    /// Parses a BCP 47 tag (case-insensitive; `mn-Cyrl` and region subtags accepted).
    pub fn parse(tag: &str) -> Option<Self> {
        let t = tag.trim().to_ascii_lowercase().replace('_', "-");
        let mut parts = t.split('-');
        let lang = parts.next()?;
        let rest: Vec<&str> = parts.collect();
        match lang {
            "mn" if rest.contains(&"mong") => Some(Self::MnMong),
            "mn" => Some(Self::Mn),
            "en" => Some(Self::En),
            "kk" => Some(Self::Kk),
            _ => None,
        }
    }
}

/// A text in one or more locales; `mn` is always present and non-empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalizedText(BTreeMap<Locale, String>);

impl LocalizedText {
    /// Builds from (locale, text) pairs: trims, drops empty optional entries,
    /// requires `mn`, and bounds each text to `max_chars`.
    pub fn parse(
        field: &str,
        entries: impl IntoIterator<Item = (Locale, Option<String>)>,
        max_chars: usize,
    ) -> Result<Self, Invalid> {
        let mut map = BTreeMap::new();
        for (locale, text) in entries {
            let Some(text) = text else { continue };
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            if text.chars().count() > max_chars {
                return Err(Invalid::field(
                    field,
                    format!(
                        "{} text is longer than {max_chars} characters",
                        locale.tag()
                    ),
                ));
            }
            if text
                .chars()
                .any(|c| c.is_control() && c != '\n' && c != '\t')
            {
                return Err(Invalid::field(
                    field,
                    format!("{} text contains control characters", locale.tag()),
                ));
            }
            map.insert(locale, text.to_owned());
        }
        if !map.contains_key(&Locale::Mn) {
            return Err(Invalid::field(field, "a Mongolian (mn) text is required"));
        }
        Ok(Self(map))
    }

    /// The text in `locale`, falling back to `mn`.
    /// Whether `later` says the same in every locale this text has (it may add
    /// locales: a new translation, not a new meaning).
    pub fn kept_in(&self, later: &LocalizedText) -> bool {
        self.0.iter().all(|(l, t)| later.0.get(l) == Some(t))
    }

    /// The text in `locale`, falling back to `mn`.
    pub fn get(&self, locale: Locale) -> &str {
        self.0
            .get(&locale)
            .or_else(|| self.0.get(&Locale::Mn))
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// The text in exactly `locale`, if present.
    pub fn exact(&self, locale: Locale) -> Option<&str> {
        self.0.get(&locale).map(String::as_str)
    }

    /// All entries, primary locale first.
    pub fn entries(&self) -> impl Iterator<Item = (Locale, &str)> {
        self.0.iter().map(|(l, t)| (*l, t.as_str()))
    }

    /// Lower-cased text of every locale, for case-insensitive search in any script.
    pub fn search_text(&self) -> String {
        self.0
            .values()
            .map(|t| t.to_lowercase())
            .collect::<Vec<_>>()
            .join(" \u{1f} ")
    }

    /// Storage form: a JSON object `{tag: text}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::Value::Object(
            self.0
                .iter()
                .map(|(l, t)| (l.tag().to_owned(), serde_json::Value::String(t.clone())))
                .collect(),
        )
    }

    /// Reads the storage form; unknown locales are ignored, a missing `mn` is
    /// tolerated (shown as empty) so a bad row never breaks a list.
    pub fn from_json(v: &serde_json::Value) -> Self {
        let mut map = BTreeMap::new();
        if let Some(obj) = v.as_object() {
            for (k, t) in obj {
                if let (Some(l), Some(t)) = (Locale::parse(k), t.as_str()) {
                    map.insert(l, t.to_owned());
                }
            }
        }
        Self(map)
    }
}

impl serde::Serialize for LocalizedText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for LocalizedText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        Ok(Self::from_json(&v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mongolian_is_required_and_the_fallback() {
        let t = LocalizedText::parse(
            "name",
            [
                (Locale::Mn, Some("Өргөдөл".into())),
                (Locale::En, Some("Application".into())),
            ],
            100,
        )
        .unwrap();
        assert_eq!(t.get(Locale::En), "Application");
        assert_eq!(t.get(Locale::Kk), "Өргөдөл");
        assert!(LocalizedText::parse("name", [(Locale::En, Some("x".into()))], 100).is_err());
        assert!(LocalizedText::parse("name", [(Locale::Mn, Some("   ".into()))], 100).is_err());
    }

    #[test]
    fn search_text_lower_cases_cyrillic() {
        let t = LocalizedText::parse("n", [(Locale::Mn, Some("ӨРГӨДӨЛ Үйлчилгээ".into()))], 100)
            .unwrap();
        assert!(t.search_text().contains("өргөдөл үйлчилгээ"));
    }

    #[test]
    fn json_round_trips_including_mongol_script() {
        let t = LocalizedText::parse(
            "n",
            [
                (Locale::Mn, Some("Сайн".into())),
                (Locale::MnMong, Some("ᠰᠠᠶᠢᠨ".into())),
            ],
            100,
        )
        .unwrap();
        assert_eq!(LocalizedText::from_json(&t.to_json()), t);
        assert_eq!(Locale::parse("mn-Mong"), Some(Locale::MnMong));
        assert_eq!(Locale::parse("MN-cyrl-MN"), Some(Locale::Mn));
        assert_eq!(Locale::parse("fr"), None);
    }
}
