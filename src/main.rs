//! `till`: parses the command line and hands over. Nothing else lives here.

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use till::cli::args::{
    Cli, Command, ConfigCommand, ImportWhat, JournalCommand, ReportCommand, RetentionCommand,
    SyncCommand,
};
use till::cli::{
    backup, customers, daemon, demo_run, doctor, export, hq_program, import, init, journal,
    logging, prompt, purge, report, retention, screen, script, sync,
};
use till::engine::office::SyncNow;

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("till: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let data = cli.data_dir();
    let config = cli.settings()?;
    let Some(command) = &cli.command else {
        let data = if cli.demo {
            demo_run::ensure(cli.data.as_deref())?
        } else {
            data
        };
        let socket = cli.socket_path(&config, &data, cli.demo);
        if socket.exists() {
            // With neither --data nor --demo, the daemon's store is the one meant.
            let wanted = (cli.demo || cli.data.is_some()).then_some(data.as_path());
            screen::attach(wanted, &socket, &config, &cli.screen)?;
        } else {
            screen::run(&data, &config, &cli.screen)?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    logging::to_stderr();
    let socket = cli.socket_path(&config, &data, false);
    // The commands that go through a running daemon: given only its socket,
    // they are about its store.
    let data = match command {
        Command::Export { .. }
        | Command::Journal(_)
        | Command::Report(_)
        | Command::Backup { .. }
        | Command::Retention(_)
        | Command::Sync(_)
        | Command::Doctor { .. }
        | Command::Customers { .. } => cli.store_dir(&socket),
        _ => data,
    };
    match command {
        Command::Init(args) => {
            let asked;
            let args = if !args.demo && args.admin_pin.is_none() && prompt::interactive() {
                // Before any question: answers for a store that cannot be made are wasted.
                till::store::Store::check_room(&data)?;
                asked = init::ask(args)?;
                &asked
            } else {
                args
            };
            let store = init::run(&data, args)?;
            let s = store.settings()?;
            println!(
                "created store '{}' (terminal {}) at {} with {} products",
                s.store_name,
                s.terminal,
                data.display(),
                store.product_count()
            );
        }
        Command::Import(ImportWhat::Products { file }) => {
            let n = import::products(&data, file)?;
            println!("imported {n} products");
        }
        Command::Import(ImportWhat::Export { dir, admin_pin }) => {
            let store = export::import(&data, dir, admin_pin)?;
            println!(
                "restored '{}' (terminal {}) at {} from {}, its journal verified; set the other users' PINs, and enroll it at head office as a new terminal",
                store.settings()?.store_name,
                store.settings()?.terminal,
                data.display(),
                dir.display()
            );
        }
        Command::Export {
            out,
            format,
            through,
        } => {
            for (name, count) in export::run(&data, &socket, through.user.as_deref(), out, *format)?
            {
                println!("{name}: {count}");
            }
            println!(
                "written to {} (manifest.json has the checksums)",
                out.display()
            );
        }
        Command::Journal(JournalCommand::Verify { through }) => {
            if !journal::verify(&data, &socket, through.user.as_deref())? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Report(ReportCommand::Sales { range, through }) => {
            print!(
                "{}",
                report::run(
                    &data,
                    &socket,
                    through.user.as_deref(),
                    range.from,
                    range.to,
                    range.format
                )?
            );
        }
        Command::Sale { script: file } => script::run(&data, file)?,
        Command::Customers { user, command } => {
            print!("{}", customers::run(&data, &socket, user, command)?)
        }
        Command::Backup {
            out,
            with_keys,
            through,
        } => {
            backup::take(&data, &socket, out, *with_keys, through.user.as_deref())?;
            println!("backup written to {}", out.display());
        }
        // cli.settings() above has already refused a bad file, naming its line.
        Command::Config(ConfigCommand::Check) => print!("{}", config.effective()),
        Command::Retention(RetentionCommand::Run { dry_run, through }) => print!(
            "{}",
            retention::run(
                &data,
                &socket,
                through.user.as_deref(),
                &config.config.retention,
                *dry_run
            )?
        ),
        Command::Restore { file, force } => print!("{}", backup::restore(file, &data, *force)?),
        Command::Purge { user, confirm, .. } => {
            let files = purge::all(&data, user, confirm)?;
            println!("deleted {} and its {files} files", data.display());
        }
        Command::Sync(command) => match command {
            SyncCommand::Request { out, through } => {
                sync::request(&data, &socket, through.user.as_deref(), out)?;
                println!(
                    "wrote {}: take it to head office (till hq enroll --request FILE)",
                    out.display()
                );
            }
            SyncCommand::Join { bundle } => {
                let url = sync::join(&data, bundle)?;
                println!("joined head office at {url}");
            }
            SyncCommand::Status => print!("{}", sync::status(&data, &socket)?),
            SyncCommand::Now { through } | SyncCommand::Catalog { through } => {
                let what = match command {
                    SyncCommand::Catalog { .. } => SyncNow::Catalog,
                    _ => SyncNow::Everything,
                };
                let user = through.user.as_deref();
                println!("{}", sync::now(&data, &socket, user, &config, what)?)
            }
        },
        // Head office is its own program: none of its code is in this binary.
        Command::Hq { args } => return Err(hq_program::exec(cli.data.as_deref(), args)),
        Command::Daemon { demo } => {
            let data = if *demo {
                demo_run::ensure(cli.data.as_deref())?
            } else {
                data
            };
            daemon::run(&data, &cli.daemon_socket(&config, &data, *demo), &config)?
        }
        Command::Doctor {
            listen_seconds,
            through,
        } => {
            let listen = std::time::Duration::from_secs(*listen_seconds);
            if !doctor::run(
                &data,
                &socket,
                through.user.as_deref(),
                &config,
                listen,
                &mut std::io::stdout(),
            )? {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
