//! Survey templates shipped with Sanal. Their question keys, scales and drivers
//! never change between releases (figures across institutions and years depend on
//! it); wording is our own, faithful to each instrument.

use super::survey::{ChoiceOption, Driver, Question, QuestionType, ShowIf, SurveyContent};
use super::vocab::Dimension;
use super::{Locale, LocalizedText};

/// The shipped templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Template {
    /// Indonesia's SKM (PermenPANRB 14/2017): nine service elements, 1–4.
    Skm9,
    /// US OMB A-11 §280 v1: seven drivers on a 5-point agree scale, plus a comment.
    A11V1,
    /// US OMB A-11 §280 v2 (2023): trust thumbs, what went well / didn't, a comment.
    A11V2,
    /// Three faces (Happiness-Meter style), plus a comment.
    Faces3,
}

impl Template {
    /// Every template.
    pub const ALL: &'static [Template] = &[Self::Skm9, Self::A11V1, Self::A11V2, Self::Faces3];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Skm9 => "SKM_9",
            Self::A11V1 => "A11_V1",
            Self::A11V2 => "A11_V2",
            Self::Faces3 => "FACES_3",
        }
    }

    /// Parses the stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == s)
    }
}

fn t(mn: &str, en: &str) -> LocalizedText {
    LocalizedText::parse(
        "template",
        [
            (Locale::Mn, Some(mn.to_owned())),
            (Locale::En, Some(en.to_owned())),
        ],
        2000,
    )
    .unwrap_or_else(|_| LocalizedText::from_json(&serde_json::json!({ "mn": mn })))
}

fn base(key: &str, kind: QuestionType, text: LocalizedText) -> Question {
    Question {
        key: key.into(),
        kind,
        text,
        help: None,
        required: true,
        driver: None,
        min: 0,
        max: 0,
        labels: vec![],
        options: vec![],
        allow_other: false,
        allow_not_applicable: false,
        max_length: 0,
        show_if: None,
        dimension: None,
    }
}

fn rating(
    key: &str,
    driver: Driver,
    text: LocalizedText,
    min: i32,
    labels: Vec<LocalizedText>,
) -> Question {
    Question {
        driver: Some(driver),
        min,
        max: min + labels.len() as i32 - 1,
        labels,
        ..base(key, QuestionType::Rating, text)
    }
}

fn comment() -> Question {
    Question {
        required: false,
        max_length: 2000,
        ..base(
            "comment",
            QuestionType::Text,
            t(
                "Үйлчилгээг сайжруулахад өөр санал байвал бичнэ үү.",
                "Anything else we could do better?",
            ),
        )
    }
}

fn thank_you() -> LocalizedText {
    t(
        "Санал өгсөнд баярлалаа! Таны санал энэ үйлчилгээг сайжруулахад ашиглагдана.",
        "Thank you! Your feedback is used to improve this service.",
    )
}

fn skm_labels() -> Vec<LocalizedText> {
    vec![
        t("Муу", "Poor"),
        t("Дунд зэрэг", "Fair"),
        t("Сайн", "Good"),
        t("Маш сайн", "Very good"),
    ]
}

fn agree_labels() -> Vec<LocalizedText> {
    vec![
        t("Огт санал нийлэхгүй", "Strongly disagree"),
        t("Санал нийлэхгүй", "Disagree"),
        t("Саармаг", "Neither agree nor disagree"),
        t("Санал нийлж байна", "Agree"),
        t("Бүрэн санал нийлж байна", "Strongly agree"),
    ]
}

fn driver_options() -> Vec<ChoiceOption> {
    [
        (
            "effectiveness",
            "Хэрэгцээ минь хангагдсан",
            "My need was met",
        ),
        ("ease", "Хялбар байсан", "It was easy"),
        ("efficiency", "Хурдан шуурхай байсан", "It was quick"),
        (
            "transparency",
            "Шударга, ил тод байсан",
            "It was fair and transparent",
        ),
        (
            "humanity",
            "Хүндэтгэлтэй хандсан",
            "I was treated with respect",
        ),
        (
            "employee",
            "Ажилтан тусламжтай байсан",
            "Staff were helpful",
        ),
    ]
    .into_iter()
    .map(|(k, mn, en)| ChoiceOption {
        key: k.into(),
        label: t(mn, en),
    })
    .collect()
}

/// The content of a template (questions normalized, as stored).
pub fn template(which: Template) -> SurveyContent {
    let mut c = raw(which);
    c.questions = c
        .questions
        .into_iter()
        .map(|mut q| {
            if q.kind.is_scale() {
                q.dimension = q.driver.and_then(dimension_of);
            }
            q.clone().normalize().unwrap_or(q)
        })
        .collect();
    c
}

/// The commitment's dimension a template driver measures (README, "Dimensions").
/// Quality: the result and the people; availability: getting the service;
/// transparency: knowing the rules and being treated alike; openness: being
/// listened to. NPS and effort measure none.
pub fn dimension_of(driver: Driver) -> Option<Dimension> {
    use Dimension::*;
    Some(match driver {
        Driver::Overall
        | Driver::Satisfaction
        | Driver::Trust
        | Driver::Effectiveness
        | Driver::Employee
        | Driver::Humanity
        | Driver::SkmProduct
        | Driver::SkmCompetence
        | Driver::SkmBehaviour => Quality,
        Driver::Ease
        | Driver::Efficiency
        | Driver::SkmProcedure
        | Driver::SkmTime
        | Driver::SkmFacilities => Availability,
        Driver::Transparency | Driver::SkmRequirements | Driver::SkmCost => Transparency,
        Driver::SkmComplaints => Openness,
        Driver::Nps | Driver::Effort => return None,
    })
}

fn raw(which: Template) -> SurveyContent {
    match which {
        Template::Skm9 => skm_9(),
        Template::A11V1 => a11_v1(),
        Template::A11V2 => a11_v2(),
        Template::Faces3 => faces_3(),
    }
}

/// Indonesia's SKM: nine service elements on 1–4, plus a comment.
fn skm_9() -> SurveyContent {
    let el = |key: &str, d: Driver, mn: &str, en: &str, na: bool| Question {
        allow_not_applicable: na,
        ..rating(key, d, t(mn, en), 1, skm_labels())
    };
    SurveyContent {
        title: t(
            "Үйлчилгээний сэтгэл ханамжийн индекс (SKM)",
            "Service satisfaction index (SKM)",
        ),
        description: Some(t(
            "Саяхан авсан үйлчилгээгээ 1 (муу)-ээс 4 (маш сайн) хүртэл үнэлнэ үү.",
            "Please rate the service you just received from 1 (poor) to 4 (very good).",
        )),
        thank_you: thank_you(),
        questions: vec![
            el(
                "skm_requirements",
                Driver::SkmRequirements,
                "Үйлчилгээ авахад тавигдсан шаардлага, бүрдүүлэх бичиг баримт хэр ойлгомжтой, боломжийн байсан бэ?",
                "How clear and reasonable were the requirements and documents for this service?",
                false,
            ),
            el(
                "skm_procedure",
                Driver::SkmProcedure,
                "Үйлчилгээ авах журам, алхам хэр энгийн байсан бэ?",
                "How simple was the procedure?",
                false,
            ),
            el(
                "skm_time",
                Driver::SkmTime,
                "Үйлчилгээ авахад зарцуулсан хугацаа хэр тохиромжтой байсан бэ?",
                "How appropriate was the time it took?",
                false,
            ),
            el(
                "skm_cost",
                Driver::SkmCost,
                "Төлбөр, хураамж хэр шударга, ил тод байсан бэ?",
                "How fair and transparent was the fee?",
                true,
            ),
            el(
                "skm_product",
                Driver::SkmProduct,
                "Авсан үр дүн (бичиг баримт, шийдвэр) хэр зөв, бүрэн байсан бэ?",
                "How correct and complete was what you received?",
                false,
            ),
            el(
                "skm_competence",
                Driver::SkmCompetence,
                "Ажилтны мэдлэг, ур чадвар хэр сайн байсан бэ?",
                "How competent were the staff?",
                false,
            ),
            el(
                "skm_behaviour",
                Driver::SkmBehaviour,
                "Ажилтны харилцаа, хандлага хэр эелдэг байсан бэ?",
                "How courteous were the staff?",
                false,
            ),
            el(
                "skm_complaints",
                Driver::SkmComplaints,
                "Санал, гомдлыг хүлээн авч шийдвэрлэх байдал хэр сайн байсан бэ?",
                "How well are complaints and suggestions handled?",
                true,
            ),
            el(
                "skm_facilities",
                Driver::SkmFacilities,
                "Үйлчилгээний орчин, тоног төхөөрөмж хэр тохилог байсан бэ?",
                "How comfortable were the premises and facilities?",
                false,
            ),
            comment(),
        ],
    }
}

/// US OMB A-11 §280 v1: seven drivers on a 5-point agree scale, plus a comment.
fn a11_v1() -> SurveyContent {
    let d =
        |key: &str, drv: Driver, mn: &str, en: &str| rating(key, drv, t(mn, en), 1, agree_labels());
    SurveyContent {
        title: t("Үйлчилгээний дараах судалгаа", "Post-transaction survey"),
        description: Some(t(
            "Дараах өгүүлбэр бүртэй хэр санал нийлж байгаагаа сонгоно уу.",
            "How much do you agree with each statement?",
        )),
        thank_you: thank_you(),
        questions: vec![
            d(
                "satisfaction",
                Driver::Satisfaction,
                "Би авсан үйлчилгээндээ сэтгэл хангалуун байна.",
                "I am satisfied with the service I received.",
            ),
            d(
                "trust",
                Driver::Trust,
                "Энэ удаагийн харилцаа энэ байгууллагад итгэх итгэлийг минь нэмэгдүүлсэн.",
                "This interaction increased my trust in this agency.",
            ),
            d(
                "effectiveness",
                Driver::Effectiveness,
                "Миний хэрэгцээ хангагдсан.",
                "My need was addressed.",
            ),
            d(
                "ease",
                Driver::Ease,
                "Хийх ёстой зүйлээ хийхэд хялбар байсан.",
                "It was easy to complete what I needed to do.",
            ),
            d(
                "efficiency",
                Driver::Efficiency,
                "Шаардлагатай зүйлээ хийхэд боломжийн хугацаа зарцуулсан.",
                "It took a reasonable amount of time to do what I needed to do.",
            ),
            d(
                "transparency",
                Driver::Transparency,
                "Надад шударга хандсан.",
                "I was treated fairly.",
            ),
            Question {
                allow_not_applicable: true,
                ..d(
                    "employee",
                    Driver::Employee,
                    "Надтай харилцсан ажилтнууд тусламжтай байсан.",
                    "Employees I interacted with were helpful.",
                )
            },
            comment(),
        ],
    }
}

/// US OMB A-11 §280 v2: trust thumbs, what went well or not, a comment.
fn a11_v2() -> SurveyContent {
    SurveyContent {
        title: t("Үйлчилгээний дараах судалгаа", "Post-transaction survey"),
        description: None,
        thank_you: thank_you(),
        questions: vec![
            Question {
                driver: Some(Driver::Trust),
                labels: vec![t("Үгүй", "No"), t("Тийм", "Yes")],
                ..base(
                    "trust",
                    QuestionType::Thumbs,
                    t(
                        "Энэ удаагийн үйлчилгээ энэ байгууллагад итгэх итгэлийг тань нэмэгдүүлсэн үү?",
                        "Did this interaction increase your trust in this agency?",
                    ),
                )
            },
            Question {
                required: false,
                options: driver_options(),
                allow_other: true,
                max_length: 500,
                show_if: Some(ShowIf {
                    question_key: "trust".into(),
                    values: vec![1],
                    choices: vec![],
                }),
                ..base(
                    "went_well",
                    QuestionType::MultiChoice,
                    t("Юу сайн байсан бэ?", "What went well?"),
                )
            },
            Question {
                required: false,
                options: driver_options(),
                allow_other: true,
                max_length: 500,
                show_if: Some(ShowIf {
                    question_key: "trust".into(),
                    values: vec![0],
                    choices: vec![],
                }),
                ..base(
                    "didnt_go_well",
                    QuestionType::MultiChoice,
                    t("Юу сайнгүй байсан бэ?", "What didn't go well?"),
                )
            },
            comment(),
        ],
    }
}

/// Three faces, plus a comment.
fn faces_3() -> SurveyContent {
    SurveyContent {
        title: t(
            "Үйлчилгээнд сэтгэл хангалуун байна уу?",
            "How was your service today?",
        ),
        description: None,
        thank_you: thank_you(),
        questions: vec![
            Question {
                driver: Some(Driver::Overall),
                min: 1,
                max: 3,
                labels: vec![
                    t("Сэтгэл дундуур", "Unhappy"),
                    t("Дунд зэрэг", "Neutral"),
                    t("Сэтгэл хангалуун", "Happy"),
                ],
                ..base(
                    "overall",
                    QuestionType::Faces,
                    t(
                        "Өнөөдрийн үйлчилгээ танд хэр таалагдсан бэ?",
                        "How happy are you with today's service?",
                    ),
                )
            },
            comment(),
        ],
    }
}
