//! Stored answers: rows of `response_answers` as domain [`Answer`]s, shared by the
//! responses read path and the rollup rebuild (so neither depends on the other).

use crate::domain::survey::Answer;
use entity::response_answer;

/// An answer as stored, back in the shape it was given.
pub(crate) fn stored_answer(a: response_answer::Model) -> Answer {
    Answer {
        question_key: a.question_key,
        value: a.value,
        choices: a
            .choices
            .and_then(|c| serde_json::from_value(c).ok())
            .unwrap_or_default(),
        text: a.text,
        not_applicable: a.not_applicable,
    }
}
