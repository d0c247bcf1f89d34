//! `sanal` — serve the API (default), or: `schema`, `migrate`,
//! `create-admin --email E --password-stdin`.

use sanal::clock::SystemClock;
use sanal::config::Config;
use sanal::startup::{Application, prepare};
use std::io::BufRead;
use std::process::ExitCode;
use std::sync::Arc;

const USAGE: &str =
    "usage: sanal [serve | schema | migrate | create-admin --email EMAIL --password-stdin]";

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
    tracing::info!(%bind, port = app.port(), production, "Sanal is serving: POST /graphql");
    app.run_until_stopped().await.map_err(|e| e.to_string())
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
    let state = prepare(config, Arc::new(SystemClock), None)
        .await
        .map_err(|e| e.to_string())?;
    let s = sanal::services::demo::seed(&state, 4000)
        .await
        .map_err(|e| e.public_message())?;
    println!(
        "demo ready: {} institutions, {} services, {} service points, {} responses over 18 months",
        s.institutions, s.services, s.service_points, s.responses
    );
    for (email, password) in s.users {
        println!("  sign in as {email} / {password}");
    }
    println!("now `cargo run` and open http://127.0.0.1:8080/graphql");
    Ok(())
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
