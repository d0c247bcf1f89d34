//! Rollup buckets: what one answer adds to the counts of its question. One type,
//! one encoding (`v:<value>`, `na`, `c:<option>`, `a`, `t`; `#` for the response
//! counter), one parser — shared by the rollups that write and the reports that read.

/// Question key of the per-response counter row.
pub const RESPONSES_KEY: &str = "#";

/// One counted fact about an answer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bucket {
    /// The response itself (question [`RESPONSES_KEY`]).
    Response,
    /// A scale value.
    Value(i32),
    /// "Not applicable".
    NotApplicable,
    /// One chosen option.
    Choice(String),
    /// A choice question answered (once, whatever the number of options).
    Answered,
    /// A text given.
    Text,
}

impl Bucket {
    /// The stored form.
    pub fn encode(&self) -> String {
        match self {
            Self::Response => RESPONSES_KEY.to_owned(),
            Self::Value(v) => format!("v:{v}"),
            Self::NotApplicable => "na".to_owned(),
            Self::Choice(c) => format!("c:{c}"),
            Self::Answered => "a".to_owned(),
            Self::Text => "t".to_owned(),
        }
    }

    /// Reads the stored form; `None` for anything else.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            RESPONSES_KEY => Self::Response,
            "na" => Self::NotApplicable,
            "a" => Self::Answered,
            "t" => Self::Text,
            _ => {
                if let Some(v) = s.strip_prefix("v:") {
                    Self::Value(v.parse().ok()?)
                } else {
                    Self::Choice(s.strip_prefix("c:")?.to_owned())
                }
            }
        })
    }
}

/// (question key, bucket) pairs one response adds, the response counter first.
pub fn buckets(answers: &[super::survey::Answer]) -> Vec<(String, Bucket)> {
    let mut out = vec![(RESPONSES_KEY.to_owned(), Bucket::Response)];
    for a in answers {
        let k = &a.question_key;
        if a.not_applicable {
            out.push((k.clone(), Bucket::NotApplicable));
            continue;
        }
        if let Some(v) = a.value {
            out.push((k.clone(), Bucket::Value(v)));
        }
        for c in &a.choices {
            out.push((k.clone(), Bucket::Choice(c.clone())));
        }
        if !a.choices.is_empty() {
            out.push((k.clone(), Bucket::Answered));
        }
        if a.text.as_deref().is_some_and(|t| !t.is_empty()) && a.choices.is_empty() {
            out.push((k.clone(), Bucket::Text));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bucket_reads_back_as_itself() {
        for b in [
            Bucket::Response,
            Bucket::Value(-3),
            Bucket::Value(10),
            Bucket::NotApplicable,
            Bucket::Choice("ease".into()),
            Bucket::Choice("c:weird".into()),
            Bucket::Answered,
            Bucket::Text,
        ] {
            assert_eq!(Bucket::parse(&b.encode()), Some(b));
        }
        assert_eq!(Bucket::parse("v:x"), None);
        assert_eq!(Bucket::parse("z"), None);
    }
}
