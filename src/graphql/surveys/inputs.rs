//! What clients send to build surveys.

use super::types::*;
use crate::domain::survey::{self as dom, QUESTION_TEXT_MAX};
use crate::error::{AppError, AppResult};
use crate::graphql::common::LocalizedTextInput;
use crate::graphql::vocab::{Dimension, Driver, QuestionType};
use async_graphql::{ID, InputObject, MaybeUndefined};

/// An option of a choice question.
#[derive(InputObject)]
pub struct ChoiceOptionInput {
    /// Stable key: 1-64 of a-z, 0-9, '_' (not `other`, which `allowOther` adds).
    pub key: String,
    /// Label.
    pub label: LocalizedTextInput,
}

/// Show a question only when an earlier answer matches.
#[derive(InputObject)]
pub struct ShowIfInput {
    /// The earlier question's key.
    pub question_key: String,
    /// Scale values that show this question.
    #[graphql(default)]
    pub values: Vec<i32>,
    /// Option keys that show this question.
    #[graphql(default)]
    pub choices: Vec<String>,
}

/// A question to add or replace.
#[derive(InputObject)]
pub struct QuestionInput {
    /// Stable key: 1-64 of a-z, 0-9, '_', starting with a letter.
    pub key: String,
    /// Kind of question.
    #[graphql(name = "type")]
    pub kind: QuestionType,
    /// Question text (`mn` required).
    pub text: LocalizedTextInput,
    /// Help text.
    pub help: Option<LocalizedTextInput>,
    /// Whether an answer is required when shown (default true).
    #[graphql(default = true)]
    pub required: bool,
    /// Driver measured.
    pub driver: Option<Driver>,
    /// RATING: scale minimum (0-10). NPS, THUMBS and FACES have fixed scales.
    #[graphql(default = 1)]
    pub min: i32,
    /// RATING: scale maximum (0-10).
    #[graphql(default = 5)]
    pub max: i32,
    /// Labels per scale point, `min` first (none, or one per point).
    #[graphql(default)]
    pub labels: Vec<LocalizedTextInput>,
    /// Options (choice questions), 1-50.
    #[graphql(default)]
    pub options: Vec<ChoiceOptionInput>,
    /// Offer the option `other` with free text (choice questions).
    #[graphql(default)]
    pub allow_other: bool,
    /// Allow "not applicable" (scale questions).
    #[graphql(default)]
    pub allow_not_applicable: bool,
    /// Longest text answer (default 2,000; at most 10,000).
    pub max_length: Option<i32>,
    /// Display condition.
    pub show_if: Option<ShowIfInput>,
    /// The commitment's dimension this scale question measures (opt in: its
    /// answers then count in that dimension's figures).
    pub dimension: Option<Dimension>,
}

impl QuestionInput {
    pub(super) fn parse(self) -> AppResult<dom::Question> {
        let f = |t: LocalizedTextInput| t.parse("text", QUESTION_TEXT_MAX);
        Ok(dom::Question {
            key: self.key.trim().to_owned(),
            kind: self.kind.into(),
            text: f(self.text)?,
            help: self.help.map(f).transpose()?,
            required: self.required,
            driver: self.driver.map(Into::into),
            min: self.min,
            max: self.max,
            labels: self.labels.into_iter().map(f).collect::<AppResult<_>>()?,
            options: self
                .options
                .into_iter()
                .map(|o| {
                    Ok(dom::ChoiceOption {
                        key: o.key.trim().to_owned(),
                        label: f(o.label)?,
                    })
                })
                .collect::<AppResult<_>>()?,
            allow_other: self.allow_other,
            allow_not_applicable: self.allow_not_applicable,
            max_length: u32::try_from(self.max_length.unwrap_or(0))
                .map_err(|_| AppError::bad_input("maxLength", "must not be negative"))?,
            show_if: self.show_if.map(|s| dom::ShowIf {
                question_key: s.question_key,
                values: s.values,
                choices: s.choices,
            }),
            dimension: self.dimension.map(Into::into),
        })
    }
}

/// A new survey.
#[derive(InputObject)]
pub struct CreateSurveyInput {
    /// Owning institution.
    pub institution_id: ID,
    /// Title (`mn` required).
    pub title: LocalizedTextInput,
    /// Introduction.
    pub description: Option<LocalizedTextInput>,
    /// Thank-you text (a standard one when omitted).
    pub thank_you: Option<LocalizedTextInput>,
}

/// Changes to a survey's texts (in its draft).
#[derive(InputObject)]
pub struct UpdateSurveyInput {
    /// New title.
    pub title: Option<LocalizedTextInput>,
    /// New introduction; `null` clears it.
    pub description: MaybeUndefined<LocalizedTextInput>,
    /// New thank-you text.
    pub thank_you: Option<LocalizedTextInput>,
}

/// Filters for `surveys`.
#[derive(InputObject, Default)]
pub struct SurveyFilterInput {
    /// Of this institution.
    pub institution_id: Option<ID>,
    /// In this state.
    pub status: Option<SurveyStatus>,
    /// Title contains this (case-insensitive, any script).
    pub text: Option<String>,
}
