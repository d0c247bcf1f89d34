//! Connect, migrate, build the schema once, build the actix app, bind.

use crate::auth::password::Passwords;
use crate::auth::tokens::Tokens;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::graphql::{SanalSchema, build_schema};
use crate::ratelimit::RateLimiter;
use crate::ratelimit::gate::OperationGate;
use crate::ratelimit::login::LoginThrottle;
use crate::routes;
use crate::services::bootstrap;
use crate::state::AppState;
use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use migration::{Migrator, MigratorTrait};
use std::net::TcpListener;
use std::sync::Arc;

/// Start-up failed; the message says why.
#[derive(Debug)]
pub struct StartupError(pub String);

impl std::fmt::Display for StartupError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for StartupError {}

fn fail(what: &str) -> impl Fn(String) -> StartupError + '_ {
    move |e| StartupError(format!("{what}: {e}"))
}

/// Connects and migrates the database, fixes the reporting zone, creates the first
/// administrator if configured: everything but HTTP. `pg_schema` isolates tests.
pub async fn prepare(
    config: Config,
    clock: Arc<dyn Clock>,
    pg_schema: Option<&str>,
) -> Result<AppState, StartupError> {
    let db = Db::connect(&config.database_url, config.db_pool_size, pg_schema)
        .await
        .map_err(|e| fail("connecting to the database")(e.to_string()))?;
    Migrator::up(db.conn(), None)
        .await
        .map_err(|e| fail("migrating the database")(e.to_string()))?;
    let passwords = Passwords::new().map_err(|e| fail("password hasher")(e.to_string()))?;
    let logins = Arc::new(LoginThrottle::new(config.login_policy()));
    let gate = Arc::new(OperationGate::new(config.gate_limits()));
    let deliverer =
        crate::delivery::Deliverer::new(&config.delivery).map_err(fail("delivery adapters"))?;
    let writer = crate::group_commit::GroupWriter::start(
        db.clone(),
        config.group_settings(),
        crate::services::responses::store_group_fn(),
    );
    let state = AppState {
        writer,
        deliverer,
        outbox_wake: Arc::new(tokio::sync::Notify::new()),
        db,
        tokens: Tokens::new(&config.jwt_secret, config.access_token_ttl_secs),
        config: Arc::new(config),
        clock,
        passwords,
        limiter: Arc::new(RateLimiter::new()),
        logins,
        gate,
        public_cache: Arc::new(crate::cache::Recent::new(
            crate::services::public::OVERVIEW_FRESH_FOR,
            crate::services::public::OVERVIEWS_KEPT,
        )),
    };
    bootstrap::fix_reporting_timezone(&state, state.config.timezone)
        .await
        .map_err(|e| fail("reporting time zone")(e.public_message()))?;
    if bootstrap::ensure_admin_from_config(&state)
        .await
        .map_err(|e| fail("creating the first administrator")(e.public_message()))?
    {
        tracing::info!("created the first administrator from SANAL_ADMIN_EMAIL");
    }
    Ok(state)
}

/// A bound, ready-to-run server.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
}

impl Application {
    /// Prepares the state and binds `config.bind` (port 0 picks a free port).
    pub async fn build(config: Config, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        Self::build_in_schema(config, clock, None).await
    }

    /// Like [`Self::build`], in a PostgreSQL schema of its own (tests).
    pub async fn build_in_schema(
        config: Config,
        clock: Arc<dyn Clock>,
        pg_schema: Option<&str>,
    ) -> Result<Self, StartupError> {
        let bind = config.bind.clone();
        let workers = config.workers;
        let state = prepare(config, clock, pg_schema).await?;
        // The process's metrics recorder (once per process, however many apps).
        crate::telemetry::metrics::handle();
        let schema = build_schema(state.clone());
        let listener =
            TcpListener::bind(&bind).map_err(|e| fail("binding")(format!("{bind}: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| fail("binding")(e.to_string()))?
            .port();
        let server = serve(listener, schema, state.clone(), workers)
            .map_err(|e| fail("starting the server")(e.to_string()))?;
        // On the runtime itself (not the worker's local set): a job cut short when
        // the runtime ends is dropped inside it, as its database connections need.
        tokio::spawn(purge_loop(state.clone()));
        actix_web::rt::spawn(crate::services::outbox::run_loop(
            state.clone(),
            state.config.outbox_poll,
        ));
        Ok(Self {
            port,
            server,
            state,
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (tests use it to reach the clock and database).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until the process is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Hourly (and once at start): the jobs of [`crate::services::jobs`], run by one
/// instance at a time.
async fn purge_loop(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        match crate::services::jobs::run_hourly(&state).await {
            Ok(None) => tracing::debug!("another instance is running the hourly jobs"),
            Ok(Some(run)) => {
                if run.purged > 0 {
                    tracing::info!(purged = run.purged, "purged expired invitations");
                }
                // Said only when a conclusion was made or changed: a period
                // closed with no data concluded nothing.
                let c = &run.closing;
                if c.changed_anything() {
                    tracing::info!(
                        periods_closed = c.closed,
                        periods_with_late_data = c.late,
                        created = c.conclusions.created,
                        regenerated = c.conclusions.regenerated,
                        revised = c.conclusions.revised,
                        "concluded reporting periods"
                    );
                }
            }
            Err(e) => tracing::warn!(error = %e, "the hourly jobs failed"),
        }
    }
}

fn serve(
    listener: TcpListener,
    schema: SanalSchema,
    state: AppState,
    workers: Option<usize>,
) -> std::io::Result<Server> {
    let schema = web::Data::new(schema);
    let state = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(schema.clone())
            .app_data(state.clone())
            .configure(routes::configure)
            .wrap(actix_web::middleware::from_fn(
                crate::telemetry::http::observe,
            ))
    })
    .listen(listener)?;
    if let Some(w) = workers {
        server = server.workers(w.max(1));
    }
    Ok(server.run())
}
