//! Survey queries.

use super::inputs::*;
use super::types::*;
use crate::domain::templates::{self, Template};
use crate::graphql::common::{LocalizedTextObject, ctx, page, parse_id};
use crate::services::surveys::{self as svc, SurveyFilter};
use async_graphql::{Context, ID, Object, Result};

/// Survey queries.
#[derive(Default)]
pub struct SurveyQuery;

#[Object]
impl SurveyQuery {
    /// Surveys of the caller's institutions (ADMIN, SUPERVISOR: all).
    async fn surveys(
        &self,
        c: &Context<'_>,
        filter: Option<SurveyFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<SurveyConnection> {
        let (state, actor) = ctx(c)?;
        let f = filter.unwrap_or_default();
        let filter = SurveyFilter {
            institution_id: f
                .institution_id
                .as_ref()
                .map(|i| parse_id("institutionId", i))
                .transpose()?,
            status: f.status.map(Into::into),
            text: f.text,
        };
        let p = svc::list_surveys(state, actor, filter, page(first, after)?).await?;
        Ok(SurveyConnection::from_page(p, |s| s.id, Survey))
    }

    /// One survey.
    async fn survey(&self, c: &Context<'_>, id: ID) -> Result<Survey> {
        let (state, actor) = ctx(c)?;
        Ok(Survey(
            svc::get_survey(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// One survey version.
    async fn survey_version(&self, c: &Context<'_>, id: ID) -> Result<SurveyVersion> {
        let (state, actor) = ctx(c)?;
        Ok(SurveyVersion(
            svc::get_version(state, actor, parse_id("id", &id)?).await?,
        ))
    }

    /// The templates shipped with Sanal.
    async fn survey_templates(&self) -> Vec<SurveyTemplateInfo> {
        Template::ALL
            .iter()
            .map(|t| {
                let c = templates::template(*t);
                SurveyTemplateInfo {
                    template: (*t).into(),
                    title: LocalizedTextObject(c.title),
                    questions: c.questions.into_iter().map(Question).collect(),
                }
            })
            .collect()
    }
}
