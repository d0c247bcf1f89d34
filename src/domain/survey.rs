//! Survey content (questions, scales, conditions) and the validation of answers
//! against it. Pure: no database. A [`SurveyContent`] that exists is well-formed.

use super::LocalizedText;
use super::error::InvalidField;
use super::vocab::Dimension;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Most questions in one survey.
pub const MAX_QUESTIONS: usize = 100;
/// Default and largest length of a text answer, in characters.
pub const DEFAULT_TEXT_MAX: u32 = 2000;
/// Largest `maxLength` a TEXT question may declare.
pub const TEXT_MAX_LIMIT: u32 = 10_000;
/// Longest question text, per locale.
pub const QUESTION_TEXT_MAX: usize = 1000;
/// The reserved option key of the free-text "other" choice.
pub const OTHER: &str = "other";

/// Kinds of question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum QuestionType {
    /// A numeric scale `min..max` with optional labels per point (1–4, 1–5, 1–7…).
    Rating,
    /// Net Promoter Score, 0–10.
    Nps,
    /// Thumbs: 1 = up, 0 = down.
    Thumbs,
    /// Three faces: 1 unhappy, 2 neutral, 3 happy.
    Faces,
    /// One option.
    SingleChoice,
    /// Several options.
    MultiChoice,
    /// Free text.
    Text,
}

impl QuestionType {
    /// Whether answers are a number on a scale.
    pub fn is_scale(self) -> bool {
        matches!(self, Self::Rating | Self::Nps | Self::Thumbs | Self::Faces)
    }
    /// Whether answers are option keys.
    pub fn is_choice(self) -> bool {
        matches!(self, Self::SingleChoice | Self::MultiChoice)
    }
}

/// The national list of drivers a question can measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum Driver {
    Overall,
    Satisfaction,
    Trust,
    Effectiveness,
    Ease,
    Efficiency,
    Transparency,
    Employee,
    Humanity,
    Nps,
    Effort,
    SkmRequirements,
    SkmProcedure,
    SkmTime,
    SkmCost,
    SkmProduct,
    SkmCompetence,
    SkmBehaviour,
    SkmComplaints,
    SkmFacilities,
}

impl Driver {
    /// Whether this is one of the nine elements of the SKM index.
    pub fn is_skm_element(self) -> bool {
        matches!(
            self,
            Driver::SkmRequirements
                | Driver::SkmProcedure
                | Driver::SkmTime
                | Driver::SkmCost
                | Driver::SkmProduct
                | Driver::SkmCompetence
                | Driver::SkmBehaviour
                | Driver::SkmComplaints
                | Driver::SkmFacilities
        )
    }
}

/// An option of a choice question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChoiceOption {
    /// Stable key.
    pub key: String,
    /// Label.
    pub label: LocalizedText,
}

/// Show a question only when an earlier answer matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShowIf {
    /// The earlier question.
    pub question_key: String,
    /// Shown when that (scale) answer's value is one of these.
    #[serde(default)]
    pub values: Vec<i32>,
    /// Shown when that (choice) answer includes one of these options.
    #[serde(default)]
    pub choices: Vec<String>,
}

/// A question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Question {
    /// Stable key, kept across versions.
    pub key: String,
    /// Kind.
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// Question text.
    pub text: LocalizedText,
    /// Help text.
    pub help: Option<LocalizedText>,
    /// Whether an answer is required (when shown).
    pub required: bool,
    /// Driver measured.
    pub driver: Option<Driver>,
    /// Scale minimum (scale questions).
    pub min: i32,
    /// Scale maximum (scale questions).
    pub max: i32,
    /// Labels per scale point, `min` first (empty, or one per point).
    #[serde(default)]
    pub labels: Vec<LocalizedText>,
    /// Options (choice questions).
    #[serde(default)]
    pub options: Vec<ChoiceOption>,
    /// Whether an "other" option with free text is offered (choice questions).
    pub allow_other: bool,
    /// Whether "not applicable" may be answered (scale questions).
    pub allow_not_applicable: bool,
    /// Longest text answer (TEXT questions and "other").
    pub max_length: u32,
    /// Display condition.
    pub show_if: Option<ShowIf>,
    /// The commitment's dimension this (scale) question measures, if any: its
    /// answers then count in that dimension's figures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimension: Option<Dimension>,
}

/// The content of a survey version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SurveyContent {
    /// Title.
    pub title: LocalizedText,
    /// Introduction shown before the questions.
    pub description: Option<LocalizedText>,
    /// Shown after a response is accepted.
    pub thank_you: LocalizedText,
    /// Questions, in order.
    pub questions: Vec<Question>,
}

fn bad(key: &str, reason: impl Into<String>) -> InvalidField {
    InvalidField {
        field: key.to_owned(),
        reason: reason.into(),
    }
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Question {
    /// Checks one question on its own (fixing the scale of NPS, thumbs and faces).
    pub fn normalize(mut self) -> Result<Self, Vec<InvalidField>> {
        let k = self.key.clone();
        let mut errs = vec![];
        if !valid_key(&k) {
            errs.push(bad(
                &k,
                "key must be 1-64 of a-z, 0-9, '_', starting with a letter",
            ));
        }
        match self.kind {
            QuestionType::Nps => (self.min, self.max) = (0, 10),
            QuestionType::Thumbs => (self.min, self.max) = (0, 1),
            QuestionType::Faces => (self.min, self.max) = (1, 3),
            QuestionType::Rating => {
                if self.min < 0 || self.max > 10 || self.max <= self.min || self.max - self.min > 10
                {
                    errs.push(bad(&k, "a rating scale runs from min to max within 0..10"));
                }
            }
            _ => (self.min, self.max) = (0, 0),
        }
        if self.kind.is_scale() {
            // In i64: a refused scale may still hold i32 extremes here.
            let points = (i64::from(self.max) - i64::from(self.min) + 1).clamp(0, 11) as usize;
            if !self.labels.is_empty() && self.labels.len() != points {
                errs.push(bad(
                    &k,
                    format!("give no labels or exactly {points} (one per point)"),
                ));
            }
            self.options.clear();
            self.allow_other = false;
        } else {
            self.labels.clear();
            if self.dimension.is_some() {
                errs.push(bad(&k, "only scale questions measure a dimension"));
            }
            if self.allow_not_applicable {
                errs.push(bad(&k, "only scale questions may allow 'not applicable'"));
            }
        }
        if self.kind.is_choice() {
            if self.options.is_empty() || self.options.len() > 50 {
                errs.push(bad(&k, "a choice question needs 1-50 options"));
            }
            let mut seen = HashSet::new();
            for o in &self.options {
                if !valid_key(&o.key) || o.key == OTHER {
                    errs.push(bad(
                        &k,
                        format!("option key {:?} is invalid or reserved", o.key),
                    ));
                }
                if !seen.insert(o.key.clone()) {
                    errs.push(bad(&k, format!("option key {:?} is repeated", o.key)));
                }
            }
        } else {
            self.options.clear();
            self.allow_other = false;
        }
        if self.kind == QuestionType::Text || self.allow_other {
            if self.max_length == 0 {
                self.max_length = DEFAULT_TEXT_MAX;
            }
            if self.max_length > TEXT_MAX_LIMIT {
                errs.push(bad(&k, format!("maxLength is at most {TEXT_MAX_LIMIT}")));
            }
        } else {
            self.max_length = 0;
        }
        if errs.is_empty() { Ok(self) } else { Err(errs) }
    }

    fn accepts_value(&self, v: i32) -> bool {
        self.kind.is_scale() && (self.min..=self.max).contains(&v)
    }

    fn option_keys(&self) -> impl Iterator<Item = &str> {
        self.options
            .iter()
            .map(|o| o.key.as_str())
            .chain(self.allow_other.then_some(OTHER))
    }
}

impl SurveyContent {
    /// Checks the whole content: each question, unique keys, conditions that refer
    /// to an earlier question and to values it can take.
    pub fn check(&self) -> Result<(), Vec<InvalidField>> {
        let mut errs = vec![];
        if self.questions.len() > MAX_QUESTIONS {
            errs.push(bad(
                "questions",
                format!("at most {MAX_QUESTIONS} questions"),
            ));
        }
        let mut earlier: HashMap<&str, &Question> = HashMap::new();
        for q in &self.questions {
            if let Err(e) = q.clone().normalize() {
                errs.extend(e);
            }
            if earlier.contains_key(q.key.as_str()) {
                errs.push(bad(&q.key, "key is used twice"));
            }
            if let Some(c) = &q.show_if {
                match earlier.get(c.question_key.as_str()) {
                    None => errs.push(bad(&q.key, "showIf must refer to an earlier question")),
                    Some(a) => {
                        if c.values.is_empty() == c.choices.is_empty() {
                            errs.push(bad(
                                &q.key,
                                "showIf needs values (scale) or choices (choice), not both",
                            ));
                        }
                        if c.values.iter().any(|v| !a.accepts_value(*v)) {
                            errs.push(bad(
                                &q.key,
                                "showIf values must be on the earlier question's scale",
                            ));
                        }
                        let keys: HashSet<&str> = a.option_keys().collect();
                        if c.choices.iter().any(|k| !keys.contains(k.as_str())) {
                            errs.push(bad(
                                &q.key,
                                "showIf choices must be options of the earlier question",
                            ));
                        }
                    }
                }
            }
            earlier.insert(&q.key, q);
        }
        if errs.is_empty() { Ok(()) } else { Err(errs) }
    }

    /// Canonical JSON (stable field and key order): what the content hash covers.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads stored content.
    pub fn from_json(v: &serde_json::Value) -> Option<Self> {
        serde_json::from_value(v.clone()).ok()
    }

    /// Storage form.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The question with `key`.
    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.key == key)
    }
}

/// Whether two versions may share a question key: same type and scale.
pub fn compatible(a: &Question, b: &Question) -> bool {
    a.kind == b.kind && a.min == b.min && a.max == b.max
}

/// Whether a later question `b` may keep `a`'s key and be pooled with it: the same
/// type, scale and driver, and the same words — the text, every label and every
/// option as `a` had them in each of its locales (a translation may be added).
/// A leading rewording or positive-only labels under an old key would otherwise
/// be pooled with the answers to the original question.
pub fn same_meaning(a: &Question, b: &Question) -> bool {
    let options_kept = a.options.len() == b.options.len()
        && a.options
            .iter()
            .zip(&b.options)
            .all(|(x, y)| x.key == y.key && x.label.kept_in(&y.label));
    let labels_kept = a.labels.len() == b.labels.len()
        && a.labels.iter().zip(&b.labels).all(|(x, y)| x.kept_in(y));
    compatible(a, b)
        && a.driver == b.driver
        && a.dimension == b.dimension
        && a.text.kept_in(&b.text)
        && labels_kept
        && options_kept
}

/// One answer as a client sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// Question answered.
    pub question_key: String,
    /// Scale value (RATING, NPS, FACES 1–3, THUMBS 1 up / 0 down).
    pub value: Option<i32>,
    /// Option keys (choice questions), `other` for the free-text option.
    pub choices: Vec<String>,
    /// Text (TEXT questions, or the "other" option).
    pub text: Option<String>,
    /// "Not applicable" (where allowed).
    pub not_applicable: bool,
}

impl Answer {
    fn is_empty(&self) -> bool {
        self.value.is_none()
            && self.choices.is_empty()
            && self.text.as_deref().is_none_or(|t| t.trim().is_empty())
            && !self.not_applicable
    }
}

fn shown(q: &Question, given: &HashMap<String, Answer>) -> bool {
    let Some(c) = &q.show_if else { return true };
    let Some(a) = given.get(&c.question_key) else {
        return false;
    };
    if a.not_applicable {
        return false;
    }
    a.value.is_some_and(|v| c.values.contains(&v))
        || a.choices.iter().any(|k| c.choices.contains(k))
}

fn check_answer(q: &Question, a: &mut Answer) -> Result<(), String> {
    if a.not_applicable {
        if !q.allow_not_applicable {
            return Err("'not applicable' is not offered for this question".into());
        }
        if a.value.is_some() || !a.choices.is_empty() || a.text.is_some() {
            return Err("a 'not applicable' answer carries nothing else".into());
        }
        return Ok(());
    }
    if q.kind.is_scale() {
        let Some(v) = a.value else {
            return Err("a value is required".into());
        };
        if !q.accepts_value(v) {
            return Err(format!("value must be between {} and {}", q.min, q.max));
        }
        if !a.choices.is_empty() || a.text.is_some() {
            return Err("only a value is expected".into());
        }
        return Ok(());
    }
    if a.value.is_some() {
        return Err("no value is expected for this question".into());
    }
    if q.kind.is_choice() {
        let keys: HashSet<&str> = q.option_keys().collect();
        let mut seen = HashSet::new();
        for c in &a.choices {
            if !keys.contains(c.as_str()) {
                return Err(format!("unknown option {c:?}"));
            }
            if !seen.insert(c.as_str()) {
                return Err(format!("option {c:?} is chosen twice"));
            }
        }
        match (q.kind, a.choices.len()) {
            (_, 0) => return Err("choose an option".into()),
            (QuestionType::SingleChoice, n) if n > 1 => return Err("choose only one option".into()),
            _ => {}
        }
        let other = a.choices.iter().any(|c| c == OTHER);
        let text = a.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        match (other, text) {
            (true, None) => return Err("describe the 'other' option in text".into()),
            (false, Some(_)) => return Err("text is only for the 'other' option".into()),
            (true, Some(t)) if t.chars().count() > q.max_length as usize => {
                return Err(format!("text is longer than {} characters", q.max_length));
            }
            _ => {}
        }
        a.text = text.map(str::to_owned);
        return Ok(());
    }
    // TEXT
    if !a.choices.is_empty() {
        return Err("no options are expected for this question".into());
    }
    let t = a.text.as_deref().map(str::trim).unwrap_or_default();
    if t.chars().count() > q.max_length as usize {
        return Err(format!("text is longer than {} characters", q.max_length));
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("text contains control characters".into());
    }
    a.text = Some(t.to_owned());
    Ok(())
}

/// Validates a response against the content; returns the answers to store (empty
/// answers dropped), or every problem, keyed by question.
pub fn validate_answers(
    content: &SurveyContent,
    answers: Vec<Answer>,
) -> Result<Vec<Answer>, Vec<InvalidField>> {
    let mut errs = vec![];
    let mut given: HashMap<String, Answer> = HashMap::new();
    if answers.len() > MAX_QUESTIONS {
        return Err(vec![bad(
            "answers",
            format!("at most {MAX_QUESTIONS} answers"),
        )]);
    }
    for a in answers {
        if content.question(&a.question_key).is_none() {
            errs.push(bad(&a.question_key, "no such question in this survey"));
            continue;
        }
        if given.contains_key(&a.question_key) {
            errs.push(bad(&a.question_key, "answered twice"));
            continue;
        }
        if !a.is_empty() {
            given.insert(a.question_key.clone(), a);
        }
    }
    let mut out = vec![];
    for q in &content.questions {
        let is_shown = shown(q, &given);
        match given.get(&q.key).cloned() {
            Some(_) if !is_shown => errs.push(bad(
                &q.key,
                "this question is not shown for the answers given",
            )),
            Some(mut a) => match check_answer(q, &mut a) {
                Ok(()) => out.push(a),
                Err(reason) => errs.push(bad(&q.key, reason)),
            },
            None if is_shown && q.required => errs.push(bad(&q.key, "an answer is required")),
            None => {}
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// A complete, valid response to `content` for examples and development links:
/// every question that is shown gets an answer (the top of each scale, the first
/// option, a short text), in order, so conditions see the answers before them.
pub fn example_answers(content: &SurveyContent) -> Vec<Answer> {
    const TEXT: &str = "Хурдан, эелдэг үйлчилсэн (example)";
    let mut given: HashMap<String, Answer> = HashMap::new();
    let mut out = vec![];
    for q in &content.questions {
        if !shown(q, &given) {
            continue;
        }
        let mut a = Answer {
            question_key: q.key.clone(),
            value: None,
            choices: vec![],
            text: None,
            not_applicable: false,
        };
        if q.kind.is_scale() {
            a.value = Some(q.max);
        } else if q.kind == QuestionType::Text {
            let limit = usize::try_from(q.max_length).unwrap_or(usize::MAX);
            a.text = Some(TEXT.chars().take(limit).collect());
        } else if let Some(o) = q.options.first() {
            a.choices = vec![o.key.clone()];
        }
        given.insert(q.key.clone(), a.clone());
        out.push(a);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Locale;
    use crate::domain::templates::{Template, template};

    fn ans(key: &str, value: Option<i32>, choices: &[&str], text: Option<&str>) -> Answer {
        Answer {
            question_key: key.into(),
            value,
            choices: choices.iter().map(|s| s.to_string()).collect(),
            text: text.map(str::to_owned),
            not_applicable: false,
        }
    }

    #[test]
    fn the_example_answers_of_every_template_are_accepted() {
        for t in Template::ALL {
            let c = template(*t);
            let example = example_answers(&c);
            assert!(!example.is_empty(), "{t:?}");
            let accepted =
                validate_answers(&c, example.clone()).unwrap_or_else(|e| panic!("{t:?}: {e:?}"));
            assert_eq!(accepted.len(), example.len(), "{t:?}");
        }
    }

    #[test]
    fn a_question_keeps_its_meaning_only_with_its_words_scale_and_driver() {
        let skm = template(Template::Skm9);
        let q = skm.questions[0].clone();
        assert!(same_meaning(&q, &q.clone()));
        let mut leading = q.clone();
        leading.text = LocalizedText::parse(
            "text",
            [(
                Locale::Mn,
                Some("Та манай гайхалтай үйлчилгээнд сэтгэл хангалуун байна уу?".into()),
            )],
            500,
        )
        .unwrap();
        assert!(!same_meaning(&q, &leading), "reworded");
        let mut positive = q.clone();
        positive.labels[0] = positive.labels[3].clone();
        assert!(!same_meaning(&q, &positive), "positive-only labels");
        let mut moved = q.clone();
        moved.driver = None;
        assert!(!same_meaning(&q, &moved), "another driver");
        let mut translated = q.clone();
        translated.text = LocalizedText::parse(
            "text",
            [
                (Locale::Mn, Some(q.text.get(Locale::Mn).to_owned())),
                (Locale::En, Some(q.text.get(Locale::En).to_owned())),
                (Locale::Kk, Some("Қызмет көрсету талаптары".into())),
            ],
            500,
        )
        .unwrap();
        assert!(same_meaning(&q, &translated), "a translation added");
    }

    #[test]
    fn every_template_is_well_formed() {
        for t in Template::ALL {
            template(*t)
                .check()
                .unwrap_or_else(|e| panic!("{t:?}: {e:?}"));
        }
    }

    #[test]
    fn a_complete_skm_response_is_accepted_and_out_of_range_values_are_named() {
        let c = template(Template::Skm9);
        let good: Vec<Answer> = c
            .questions
            .iter()
            .filter(|q| q.kind == QuestionType::Rating)
            .map(|q| ans(&q.key, Some(4), &[], None))
            .collect();
        assert_eq!(validate_answers(&c, good.clone()).unwrap().len(), 9);
        let mut bad_vals = good;
        bad_vals[0].value = Some(5);
        bad_vals[1].value = Some(0);
        let errs = validate_answers(&c, bad_vals).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].field, "skm_requirements");
    }

    #[test]
    fn a11_v2_shows_went_well_only_after_thumbs_up() {
        let c = template(Template::A11V2);
        let up = vec![
            ans("trust", Some(1), &[], None),
            ans("went_well", None, &["ease", "other"], Some("Хурдан")),
        ];
        assert!(validate_answers(&c, up).is_ok());
        let wrong_branch = vec![
            ans("trust", Some(1), &[], None),
            ans("didnt_go_well", None, &["ease"], None),
        ];
        let errs = validate_answers(&c, wrong_branch).unwrap_err();
        assert_eq!(errs[0].field, "didnt_go_well");
        let other_without_text = vec![
            ans("trust", Some(0), &[], None),
            ans("didnt_go_well", None, &["other"], None),
        ];
        assert!(validate_answers(&c, other_without_text).is_err());
    }

    #[test]
    fn required_unknown_and_repeated_answers_are_each_reported() {
        let c = template(Template::Faces3);
        let errs = validate_answers(
            &c,
            vec![
                ans("nope", Some(1), &[], None),
                ans("comment", None, &[], Some("ok")),
            ],
        )
        .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["nope", "overall"]);
        let twice = vec![
            ans("overall", Some(3), &[], None),
            ans("overall", Some(2), &[], None),
        ];
        assert_eq!(
            validate_answers(&c, twice).unwrap_err()[0].reason,
            "answered twice"
        );
    }

    #[test]
    fn not_applicable_is_accepted_only_where_offered() {
        let c = template(Template::A11V1);
        let mut answers: Vec<Answer> = c
            .questions
            .iter()
            .filter(|q| q.kind.is_scale())
            .map(|q| ans(&q.key, Some(5), &[], None))
            .collect();
        let emp = answers
            .iter_mut()
            .find(|a| a.question_key == "employee")
            .unwrap();
        emp.value = None;
        emp.not_applicable = true;
        assert!(validate_answers(&c, answers.clone()).is_ok());
        let sat = answers
            .iter_mut()
            .find(|a| a.question_key == "satisfaction")
            .unwrap();
        sat.value = None;
        sat.not_applicable = true;
        assert!(validate_answers(&c, answers).is_err());
    }

    #[test]
    fn a_text_answer_is_bounded_by_max_length() {
        let c = template(Template::Faces3);
        let long = "ө".repeat(2001);
        let errs = validate_answers(
            &c,
            vec![
                ans("overall", Some(3), &[], None),
                ans("comment", None, &[], Some(&long)),
            ],
        )
        .unwrap_err();
        assert_eq!(errs[0].field, "comment");
    }

    #[test]
    fn conditions_must_point_backwards_and_keys_must_be_unique() {
        let mut c = template(Template::A11V2);
        c.questions.swap(0, 1);
        assert!(c.check().is_err());
        let mut d = template(Template::Faces3);
        d.questions[1].key = "overall".into();
        assert!(d.check().is_err());
    }

    #[test]
    fn the_canonical_json_round_trips() {
        let c = template(Template::Skm9);
        let back =
            SurveyContent::from_json(&serde_json::from_str(&c.canonical_json()).unwrap()).unwrap();
        assert_eq!(back, c);
    }
}
