//! `till`: parses the command line and hands over. Nothing else lives here.

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use till::cli::args::{Cli, Command, ImportWhat, JournalCommand, ReportCommand};
use till::cli::{daemon, demo_run, export, import, init, journal, logging, report, screen, script};
use till::config::Settings;

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
    let config = Settings::load(cli.config.as_deref())?;
    let Some(command) = &cli.command else {
        let data = if cli.demo {
            demo_run::ensure(cli.data.as_deref())?
        } else {
            data
        };
        if !cli.demo && cli.socket_path(&config).exists() {
            screen::attach(&cli.socket_path(&config), &cli.screen)?;
        } else {
            screen::run(&data, &config, &cli.screen)?;
        }
        return Ok(ExitCode::SUCCESS);
    };
    logging::to_stderr();
    match command {
        Command::Init(args) => {
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
        Command::Export { out } => {
            for (name, count) in export::run(&data, out)? {
                println!("{name}: {count}");
            }
            println!(
                "written to {} (manifest.json has the checksums)",
                out.display()
            );
        }
        Command::Journal(JournalCommand::Verify) => {
            if !journal::verify(&data)? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Report(ReportCommand::Sales { from, to, format }) => {
            print!("{}", report::run(&data, *from, *to, *format)?);
        }
        Command::Sale { script: file } => script::run(&data, file)?,
        Command::Daemon => daemon::run(&data, &cli.socket_path(&config), &config)?,
        Command::Doctor { listen_seconds } => {
            let store = till::store::Store::open(&data)?.settings()?;
            let listen = std::time::Duration::from_secs(*listen_seconds);
            if !till::devices::doctor::run(&config, &store, listen, &mut std::io::stdout())? {
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
