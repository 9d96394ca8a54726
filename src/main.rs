//! `till`: parses the command line and hands over. Nothing else lives here.

use std::process::ExitCode;

use anyhow::Result;
use clap::Parser;
use till::cli::args::{Cli, Command, ImportWhat, JournalCommand, ReportCommand};
use till::cli::{demo_run, export, import, init, journal, report, script};

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("TILL_LOG"))
        .with_writer(std::io::stderr)
        .init();
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
    match &cli.command {
        None if cli.demo => demo_run::run(cli.data.as_deref())?,
        None => {
            eprintln!(
                "The full-screen till is not built yet. Try the demo sale: till --demo\nor see `till --help`."
            );
            return Ok(ExitCode::from(2));
        }
        Some(Command::Init(args)) => {
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
        Some(Command::Import(ImportWhat::Products { file })) => {
            let n = import::products(&data, file)?;
            println!("imported {n} products");
        }
        Some(Command::Export { out }) => {
            for (name, count) in export::run(&data, out)? {
                println!("{name}: {count}");
            }
            println!(
                "written to {} (manifest.json has the checksums)",
                out.display()
            );
        }
        Some(Command::Journal(JournalCommand::Verify)) => {
            if !journal::verify(&data)? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Some(Command::Report(ReportCommand::Sales { from, to, format })) => {
            print!("{}", report::run(&data, *from, *to, *format)?);
        }
        Some(Command::Sale { script: file }) => script::run(&data, file)?,
    }
    Ok(ExitCode::SUCCESS)
}
