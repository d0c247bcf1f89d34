//! `sanal` — serve the API (default), or one of the subcommands in [`USAGE`].

use sanal::clock::SystemClock;
use sanal::config::Config;
use sanal::startup::{Application, prepare};
use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;

/// What `sanal --help` prints: every subcommand.
const USAGE: &str = "\
usage: sanal [COMMAND]

commands:
  serve           migrate the database and serve the API (the default)
  migrate         migrate the database and exit
  create-admin --email EMAIL --password-stdin
                  create an administrator; the password is read from stdin
  demo            fill an empty database with a demo: institutions, surveys,
                  18 months of responses and their conclusions
  schema          print the GraphQL schema (SDL)
  help            print this

Settings come from environment variables (DATABASE_URL, SANAL_BIND, ...): see the README.";

/// How a newcomer starts over with the demo on the default SQLite database.
const START_OVER: &str = "to start over on the default SQLite database, stop the server and \
     remove sanal.db, sanal.db-wal and sanal.db-shm (e.g. `rm sanal.db*`), then run `cargo run -- demo` again";

#[actix_web::main]
async fn main() -> ExitCode {
    if let Err(e) = sanal::telemetry::init_logs_from_env() {
        eprintln!("sanal: {e}");
        return ExitCode::FAILURE;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None | Some("serve") => serve().await,
        Some("schema") => {
            print!("{}", sanal::graphql::sdl());
            Ok(())
        }
        Some("migrate") => migrate().await,
        Some("demo") => demo().await,
        Some("create-admin") => create_admin(&args[1..]).await,
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(format!("unknown command {other:?}\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sanal: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let bind = config.bind.clone();
    let production = config.production;
    let app = Application::build(config, Arc::new(SystemClock))
        .await
        .map_err(|e| e.to_string())?;
    let base = format!("http://{}", local_address(&bind, app.port()));
    if production {
        tracing::info!(%bind, port = app.port(), production, "Sanal is serving: POST {base}/graphql");
    } else {
        tracing::info!(
            %bind,
            port = app.port(),
            production,
            "Sanal is serving: POST {base}/graphql; GraphiQL (explorer and documentation) at {base}/graphql in a browser"
        );
    }
    match sanal::services::bootstrap::admin_exists(app.state()).await {
        Ok(true) => {}
        Ok(false) => tracing::warn!(
            "no administrator exists yet: create one with \
             `cargo run -- create-admin --email you@example.mn --password-stdin` \
             (or set SANAL_ADMIN_EMAIL and SANAL_ADMIN_PASSWORD), or fill a demo with `cargo run -- demo`"
        ),
        Err(e) => tracing::warn!(error = %e, "could not check whether an administrator exists"),
    }
    app.run_until_stopped().await.map_err(|e| e.to_string())
}

/// The address to show for a bind address: a wildcard host becomes 127.0.0.1.
fn local_address(bind: &str, port: u16) -> String {
    let host = bind.rsplit_once(':').map_or(bind, |(h, _)| h);
    let host = match host {
        "0.0.0.0" | "[::]" | "" => "127.0.0.1",
        h => h,
    };
    format!("{host}:{port}")
}

async fn migrate() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    prepare(config, Arc::new(SystemClock), None)
        .await
        .map_err(|e| e.to_string())?;
    println!("database is up to date");
    Ok(())
}

async fn demo() -> Result<(), String> {
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let base = format!(
        "http://{}",
        local_address(&config.bind, port_of(&config.bind))
    );
    let state = prepare(config, Arc::new(SystemClock), None)
        .await
        .map_err(|e| e.to_string())?;
    let s = match sanal::services::demo::seed(&state, 4000).await {
        Ok(s) => s,
        Err(e) if e.code() == "CONFLICT" => {
            return Err(format!("{}\n{START_OVER}", e.public_message()));
        }
        Err(e) => return Err(e.public_message()),
    };
    println!(
        "demo ready: {} institutions, {} services, {} service points, {} responses over 18 months, {} conclusions, {} improvement actions, {} citizens' suggestions, {} NGO evaluations, {} published scorecards",
        s.institutions,
        s.services,
        s.service_points,
        s.responses,
        s.conclusions,
        s.actions,
        s.suggestions,
        s.evaluations,
        s.scorecards
    );
    for (email, password) in &s.users {
        println!("  sign in as {email} / {password}");
    }
    println!("ids for the examples (examples/ in the repository):");
    for (what, id) in &s.ids {
        println!("  {what:<16} {id}");
    }
    println!("now `cargo run` and open {base}/graphql in a browser");
    println!("{START_OVER}");
    Ok(())
}

fn port_of(bind: &str) -> u16 {
    bind.rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .unwrap_or(8080)
}

async fn create_admin(args: &[String]) -> Result<(), String> {
    let mut email = None;
    let mut password_stdin = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--email" => email = it.next().cloned(),
            "--password-stdin" => password_stdin = true,
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let email = email.ok_or_else(|| format!("--email is required\n{USAGE}"))?;
    if !password_stdin {
        return Err(format!(
            "--password-stdin is required (passwords never go on the command line)\n{USAGE}"
        ));
    }
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .map_err(|e| format!("reading the password from stdin: {e}"))?;
    let password = password.trim_end_matches(['\n', '\r']);
    let config = Config::from_env().map_err(|e| e.to_string())?;
    let state = prepare(config, Arc::new(SystemClock), None)
        .await
        .map_err(|e| e.to_string())?;
    sanal::services::bootstrap::create_admin(&state, &email, password)
        .await
        .map_err(|e| e.public_message())?;
    println!("administrator {email} created");
    Ok(())
}
