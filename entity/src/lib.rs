//! Sea-ORM entities of Sanal: the tables, and nothing else.
//!
//! This crate knows nothing about GraphQL or authorization; services above it
//! translate rows into domain types. Enumerations are stored as their stable
//! `SCREAMING_SNAKE_CASE` names in text columns so that both SQLite and
//! PostgreSQL hold the same values and a new variant needs no migration.

pub mod api_key;
pub mod api_key_institution;
pub mod audit_log;
pub mod conclusion;
pub mod conclusion_finding;
pub mod delivered_count;
pub mod delivery_outbox;
pub mod finding;
pub mod follow_up;
pub mod headline_provenance;
pub mod improvement_action;
pub mod improvement_action_origin;
pub mod improvement_action_service;
pub mod improvement_action_update;
pub mod indicator_framework;
pub mod institution;
pub mod institution_closure;
pub mod integrity_count;
pub mod invitation;
pub mod kiosk_device;
pub mod ngo;
pub mod ngo_action_verification;
pub mod ngo_evaluation;
pub mod open_channel;
pub mod period_closing;
pub mod public_holiday;
pub mod quarantined_cell;
pub mod question_reuse_approval;
pub mod recontact_cooldown;
pub mod refresh_token;
pub mod region;
pub mod response;
pub mod response_answer;
pub mod role_assignment;
pub mod rubric;
pub mod scorecard;
pub mod service;
pub mod service_invitation_setting;
pub mod service_point;
pub mod service_survey_assignment;
pub mod session;
pub mod setting;
pub mod suggestion;
pub mod suggestion_contact;
pub mod suggestion_support;
pub mod survey;
pub mod survey_version;
pub mod user;
