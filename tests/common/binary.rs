//! For tests that run the real `sanal` binary: a scratch directory and database of
//! its own (a SQLite file in the directory, or a fresh PostgreSQL database when
//! `SANAL_TEST_DATABASE_URL` is set), removed when the test ends.

use std::path::PathBuf;
use std::process::Command;

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A directory and a database for one run of the binary.
pub struct Scratch {
    /// The data directory.
    pub dir: PathBuf,
    /// `DATABASE_URL` for the binary.
    pub database_url: String,
    pg_db: Option<(String, String)>,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin_url, db)) = &self.pg_db {
            let _ = Command::new("psql")
                .args([
                    admin_url.as_str(),
                    "-qc",
                    &format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"),
                ])
                .output();
        }
    }
}

/// A fresh directory and database.
pub fn scratch() -> Scratch {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let dir = std::env::temp_dir().join(format!("sanal-proc-{id}"));
    std::fs::create_dir_all(&dir).unwrap();
    match std::env::var("SANAL_TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let db = format!("sanal_p_{id}");
            let out = Command::new("psql")
                .args([url.as_str(), "-qc", &format!("CREATE DATABASE \"{db}\"")])
                .output()
                .expect("psql");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let base = url.rsplit_once('/').map(|(b, _)| b.to_owned()).unwrap();
            Scratch {
                database_url: format!("{base}/{db}"),
                pg_db: Some((url, db)),
                dir,
            }
        }
        _ => Scratch {
            database_url: format!("sqlite://{}?mode=rwc", dir.join("sanal.db").display()),
            pg_db: None,
            dir,
        },
    }
}

/// The binary with a clean environment: PATH, the scratch database and directory.
pub fn sanal(s: &Scratch) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sanal"));
    c.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &s.database_url)
        .env("SANAL_DATA_DIR", &s.dir)
        .current_dir(&s.dir);
    c
}
